# The devices of TestGroup3 whose latest update failed, by device ID: the
# latest update is the one with the latest deployment_schedule_time (the
# highest update_id when two share it).
data "upswift_devices" "failed_updates" {
  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup3" }]
    filters = [
      { type = "update_status", operand = "is", value = "failed" },
    ]
  }
}

output "failed_updates" {
  value = data.upswift_devices.failed_updates.device_uuids
}
