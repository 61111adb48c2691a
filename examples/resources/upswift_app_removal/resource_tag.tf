# tag: devices with a tag (is or is_not).
resource "upswift_app_removal" "by_tag" {
  app_name = "beta-dashboard"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "tag", operand = "is", value = "beta" },
    ]
  }
}
