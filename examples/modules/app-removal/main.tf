# A module that removes an app from the devices a device filter selects, and
# refuses to when the filter selects more devices than its caller allows.
#
# upswift_devices lists, during the plan, the devices that device_filter
# selects; the precondition fails the plan when they are more than
# max_devices, so that nothing is removed and the plan says why, and the
# removal is bound to that list: the apply of a saved plan is refused when a
# device joined the scope since the plan. Its tests
# are in tests/: guard.tftest.hcl with a mocked provider (no account, no
# API), integration.tftest.hcl against the provider's local emulator.

terraform {
  # optional() in variables.tf needs Terraform 1.3 or later (or OpenTofu);
  # the tests need Terraform 1.7 or OpenTofu 1.8 (mock_provider).
  required_version = ">= 1.3.0"

  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

data "upswift_devices" "scope" {
  device_filter = var.device_filter
}

locals {
  # The devices the removal applies to, as the plan read them.
  scope = data.upswift_devices.scope.device_uuids
}

resource "upswift_app_removal" "this" {
  app_name = var.app_name
  # The very filter the scope was read with, so that the two cannot differ.
  device_filter = var.device_filter
  # The devices the plan showed: the apply removes the app from no other.
  expected_device_uuids = local.scope

  lifecycle {
    precondition {
      condition     = length(local.scope) <= var.max_devices
      error_message = "The removal of ${var.app_name} would apply to ${length(local.scope)} devices, more than max_devices (${var.max_devices}): narrow device_filter, or raise max_devices after checking the scope."
    }
  }
}
