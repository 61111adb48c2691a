# triggers: remove the app again whenever a value changes, here the fleet
# image version, so that devices that got the app back with a new image
# lose it again.
variable "fleet_image" {
  type    = string
  default = "2024.06"
}

resource "upswift_app_removal" "after_each_image" {
  app_name = "legacy-agent"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
  }

  triggers = {
    fleet_image = var.fleet_image
  }
}
