output "device_uuids" {
  description = "The devices the removal applies to (device IDs as the dashboard shows them), as the plan read them."
  value       = local.scope
}

output "device_count" {
  description = "How many devices the removal applies to."
  value       = length(local.scope)
}

output "devices" {
  description = "The devices the removal applies to: device ID => name, group and state."
  value = {
    for d in data.upswift_devices.scope.devices :
    d.device_uuid => "${d.device_name} (${d.group}, ${coalesce(d.state, "state not reported")})"
  }
}

output "removal_id" {
  description = "The removal's ID, set when it is applied."
  value       = upswift_app_removal.this.id
}
