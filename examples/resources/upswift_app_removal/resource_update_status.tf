# update_status: devices by the status of their last update: pending,
# in_progress, success, failed or aborted (is or is_not). timeouts.create
# bounds the removal, retries and rate-limit waits included.
resource "upswift_app_removal" "by_update_status" {
  app_name = "update-helper"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "update_status", operand = "is", value = "success" },
    ]
  }

  timeouts = {
    create = "5m"
  }
}
