# The demo that `make demo` applies against the local emulator: remove the
# legacy agent from the online devices of two groups of the Demo project, and
# the "beta" tag from the online devices of one of them.
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

resource "upswift_app_removal" "legacy_agent" {
  app_name = "legacy-agent"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

resource "upswift_tag_removal" "beta" {
  tag_name = "beta"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

output "removal_id" {
  value = upswift_app_removal.legacy_agent.id
}
