# The demo that `make demo` runs against the local emulator: remove the
# legacy agent from the online devices of two groups of the Demo project, and
# the "beta" tag from the online devices of one of them. Before anything is
# removed, upswift_devices reads the app removal's scope, which the plan
# shows as an output, and the removal is bound to it: applied later from a
# saved plan, it is refused if a device joined the scope in between.
#
# The provider reads its token and endpoint from UPSWIFT_USER_TOKEN and
# UPSWIFT_ENDPOINT, which `make demo` points at the emulator.

terraform {
  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

provider "upswift" {}

locals {
  # One filter for the preview and the removal, so that they cannot differ.
  legacy_agent_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

data "upswift_devices" "legacy_agent_scope" {
  device_filter = local.legacy_agent_filter
}

resource "upswift_app_removal" "legacy_agent" {
  app_name      = "legacy-agent"
  device_filter = local.legacy_agent_filter

  # The devices the plan shows: the apply removes the app from no other.
  expected_device_uuids = data.upswift_devices.legacy_agent_scope.device_uuids
}

resource "upswift_tag_removal" "beta" {
  tag_name = "beta"
  # The plan fails if this filter ever selects more than 3 devices.
  max_devices = 3

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

output "legacy_agent_scope" {
  description = "The devices the removal of legacy-agent applies to, by device ID: each of them that has the app loses it."
  value = {
    for d in data.upswift_devices.legacy_agent_scope.devices :
    d.device_uuid => "${d.device_name} (${d.group}, ${d.state}, last update ${coalesce(d.last_update_status, "none")})"
  }
}

output "removal_id" {
  value = upswift_app_removal.legacy_agent.id
}
