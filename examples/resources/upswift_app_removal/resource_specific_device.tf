# specific_device: every device of the project except one (is or is_not).
resource "upswift_app_removal" "by_specific_device" {
  app_name = "debug-shell"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "specific_device", operand = "is_not", value = "d-4ec7-1be9" },
    ]
  }
}
