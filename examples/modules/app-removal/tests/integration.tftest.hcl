# Integration tests against the provider's local emulator of the Upswift API,
# with its demo fleet: the plan reads the real scope from it, and the apply
# sends the removal to it.
#
# Start the emulator first (from a checkout of the provider:
# go run ./cmd/upswift-emulator -rate 0) and set UPSWIFT_ENDPOINT to the URL
# it prints. The token below is the emulator's: these tests cannot act on a
# real account, whatever UPSWIFT_USER_TOKEN holds.

provider "upswift" {
  user_token = "demo-token"
}

variables {
  app_name = "legacy-agent"
  # The online devices of two groups of the demo fleet: five devices.
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [{ type = "device_state", operand = "is", value = "online" }]
  }
  max_devices = 5
}

run "refuses_the_scope_when_max_devices_is_below_it" {
  command = plan

  variables {
    max_devices = 4
  }

  expect_failures = [upswift_app_removal.this]
}

run "removes_the_app_from_the_scope" {
  # command = apply (the default): the removal is sent to the emulator.

  assert {
    condition     = output.device_uuids == tolist(["d-4ec7-1be9", "d-5b8e-02f4", "d-7f21-9ad6", "d-a3c5-6e18", "d-c0d9-3b72"])
    error_message = "The scope should be the five online devices of TestGroup1 and TestGroup2."
  }
  assert {
    condition     = output.devices["d-4ec7-1be9"] == "gateway-01 (TestGroup1, online)"
    error_message = "The module should describe each device of the scope."
  }
  assert {
    condition     = output.removal_id != null && output.removal_id != ""
    error_message = "The applied removal should have an ID."
  }
}
