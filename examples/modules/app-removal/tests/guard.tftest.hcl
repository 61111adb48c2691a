# Unit tests of the module's guard, with a mocked provider: no account, no
# emulator, no API call. override_data gives upswift_devices the devices it
# would list; the plan then shows whether the precondition refuses the
# removal. Needs Terraform 1.7 or later, or OpenTofu 1.8 or later.
#
# Only device_uuids, which the guard counts, is overridden: Terraform cannot
# set a list of nested attributes such as devices in override_data (OpenTofu
# can), so the mocked devices is an empty list and the integration tests
# check it.

mock_provider "upswift" {}

variables {
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [{ type = "device_state", operand = "is", value = "online" }]
  }
  max_devices = 20
}

run "refuses_21_devices_when_max_devices_is_20" {
  command = plan

  override_data {
    target = data.upswift_devices.scope
    values = {
      device_uuids = [
        "d-0001", "d-0002", "d-0003", "d-0004", "d-0005", "d-0006", "d-0007",
        "d-0008", "d-0009", "d-0010", "d-0011", "d-0012", "d-0013", "d-0014",
        "d-0015", "d-0016", "d-0017", "d-0018", "d-0019", "d-0020", "d-0021",
      ]
    }
  }

  # The plan fails on the removal's precondition: nothing would be removed.
  expect_failures = [upswift_app_removal.this]
}

run "accepts_20_devices_when_max_devices_is_20" {
  command = plan

  override_data {
    target = data.upswift_devices.scope
    values = {
      device_uuids = [
        "d-0001", "d-0002", "d-0003", "d-0004", "d-0005", "d-0006", "d-0007",
        "d-0008", "d-0009", "d-0010", "d-0011", "d-0012", "d-0013", "d-0014",
        "d-0015", "d-0016", "d-0017", "d-0018", "d-0019", "d-0020",
      ]
    }
  }

  assert {
    condition     = output.device_count == 20
    error_message = "The scope of 20 devices should be accepted and reported."
  }
}

run "plans_the_removal_of_a_scope_within_the_bound" {
  command = plan

  override_data {
    target = data.upswift_devices.scope
    values = {
      device_uuids = ["d-4ec7-1be9", "d-a3c5-6e18"]
    }
  }

  assert {
    condition     = upswift_app_removal.this.app_name == "legacy-agent"
    error_message = "The module should plan the removal of legacy-agent."
  }
  assert {
    # The removal applies to the filter the scope was read with.
    condition     = upswift_app_removal.this.device_filter == data.upswift_devices.scope.device_filter
    error_message = "The removal's device_filter should be the one the scope was read with."
  }
  assert {
    condition     = output.device_uuids == tolist(["d-4ec7-1be9", "d-a3c5-6e18"])
    error_message = "The module should report the devices of the scope."
  }
  assert {
    # The removal is bound to the devices the plan read.
    condition     = upswift_app_removal.this.expected_device_uuids == toset(["d-4ec7-1be9", "d-a3c5-6e18"])
    error_message = "The removal's expected_device_uuids should be the scope the plan read."
  }
}

run "refuses_a_max_devices_below_1" {
  command = plan

  variables {
    max_devices = 0
  }

  expect_failures = [var.max_devices]
}
