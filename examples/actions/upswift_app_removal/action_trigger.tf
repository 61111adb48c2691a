# Runs the removal whenever the fleet image version changes: the
# terraform_data is replaced (after_create) or updated (after_update), and
# its action_trigger invokes the action. timeout bounds each invocation,
# waits for the API's rate limit included.
variable "fleet_image_version" {
  type    = string
  default = "2024.06"
}

action "upswift_app_removal" "after_image" {
  config {
    app_name = "legacy-agent"
    device_filter = {
      project = { name = "Demo" }
      groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
      filters = [{ type = "device_state", operand = "is", value = "online" }]
    }
    timeout = "15m"
  }
}

resource "terraform_data" "fleet_image" {
  triggers_replace = [var.fleet_image_version]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.upswift_app_removal.after_image]
    }
  }
}
