# device_state: online or offline devices (operand is only). Several
# filters combine with AND.
resource "upswift_app_removal" "by_device_state" {
  app_name = "legacy-agent"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
      { type = "tag", operand = "is_not", value = "keep-legacy" },
    ]
  }
}
