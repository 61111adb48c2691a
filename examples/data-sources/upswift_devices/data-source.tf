# The devices that a removal with this device_filter would touch: the online
# devices of two groups of the Demo project. The plan lists them before
# anything is removed.
data "upswift_devices" "legacy_agent_scope" {
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

output "legacy_agent_scope" {
  value = {
    for d in data.upswift_devices.legacy_agent_scope.devices :
    d.device_uuid => "${d.device_name} (${d.group}, last update ${coalesce(d.last_update_status, "none")})"
  }
}
