# A removal bound to the scope its plan showed. upswift_devices lists, during
# the plan, the devices that the removal's device_filter selects, and the
# removal takes that list as expected_device_uuids: the plan shows it, a saved
# plan keeps it, and right before the removal is sent the provider lists the
# scope again. A device that joined the scope since the plan (moved into a
# group, come online, newly provisioned) makes the apply fail, naming it, with
# nothing sent: plan again to review it. max_devices fails the plan when the
# scope holds more than 20 devices. A precondition adds a rule of your own.
#
# Preconditions need Terraform 1.2 or later (or OpenTofu); expected_device_uuids
# and max_devices work on every supported version.

terraform {
  required_version = ">= 1.2.0"

  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

provider "upswift" {}

locals {
  # One filter for the scope and the removal, so that they cannot differ.
  legacy_agent_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

data "upswift_devices" "scope" {
  device_filter = local.legacy_agent_filter
}

resource "upswift_app_removal" "legacy_agent" {
  app_name      = "legacy-agent"
  device_filter = local.legacy_agent_filter

  # The devices the reviewer sees in the plan: the apply removes from no other.
  expected_device_uuids = data.upswift_devices.scope.device_uuids
  # The plan fails when the filter selects more devices than this.
  max_devices = 20

  lifecycle {
    # A rule of your own: keep away from devices in the middle of an update.
    precondition {
      condition     = alltrue([for d in data.upswift_devices.scope.devices : d.last_update_status != "in_progress"])
      error_message = "The removal of legacy-agent would reach a device whose update is still in progress: wait for it to finish."
    }
  }
}

# The plan shows the scope under "Changes to Outputs", before anything is
# removed, and the removal's expected_device_uuids in its own diff.
output "legacy_agent_scope" {
  value = data.upswift_devices.scope.device_uuids
}
