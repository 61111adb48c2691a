# The full example of the API documentation: remove "some-app-name" from one
# device, among the devices of two groups of the "Demo" project.
resource "upswift_app_removal" "example" {
  app_name = "some-app-name"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "specific_device", operand = "is", value = "d-4ec7-1be9" },
    ]
  }
}
