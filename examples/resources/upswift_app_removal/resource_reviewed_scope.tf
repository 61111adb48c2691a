# Bind the removal to the devices its plan showed: the apply of a saved plan
# is refused when a device joined the scope since the plan (the error names
# it; plan again to review it), and the plan fails when the scope holds more
# than 20 devices. Once applied, applied_device_uuids records the devices the
# removal applied to.
data "upswift_devices" "legacy_agent" {
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
  }
}

resource "upswift_app_removal" "legacy_agent" {
  app_name              = "legacy-agent"
  device_filter         = data.upswift_devices.legacy_agent.device_filter
  expected_device_uuids = data.upswift_devices.legacy_agent.device_uuids
  max_devices           = 20
}
