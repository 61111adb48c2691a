# app: devices that have another app set (is or is_not).
resource "upswift_app_removal" "by_app" {
  app_name = "metrics-agent-v1"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "app", operand = "is", value = "metrics-agent-v2" },
    ]
  }
}
