# An invocation bound to the devices its plan showed:
#
#   terraform plan -invoke=action.upswift_app_removal.reviewed -out=invoke.tfplan
#   terraform apply invoke.tfplan
#
# The apply is refused, with nothing sent, when a device joined the scope
# since the plan; the plan fails when the scope holds more than 20 devices.
# Terraform shows, among the action's progress messages, the devices the
# removal applied to.
data "upswift_devices" "reviewed" {
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
  }
}

action "upswift_app_removal" "reviewed" {
  config {
    app_name              = "legacy-agent"
    device_filter         = data.upswift_devices.reviewed.device_filter
    expected_device_uuids = data.upswift_devices.reviewed.device_uuids
    max_devices           = 20
  }
}
