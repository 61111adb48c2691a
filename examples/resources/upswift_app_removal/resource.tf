# The full example of the API documentation: remove "some-app-name" from one
# device, among the devices of two groups of the "Demo" project.
resource "upswift_app_removal" "example" {
  app_name = "some-app-name"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "specific_device", operand = "is", value = "d-4ec7-1be9" },
    ]
  }
}

# Groups only: every device of either group.
resource "upswift_app_removal" "by_groups" {
  app_name = "legacy-agent"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
  }
}

# specific_device: every device of the project except one (is or is_not).
resource "upswift_app_removal" "by_specific_device" {
  app_name = "debug-shell"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "specific_device", operand = "is_not", value = "d-4ec7-1be9" },
    ]
  }
}

# tag: devices with a tag (is or is_not).
resource "upswift_app_removal" "by_tag" {
  app_name = "beta-dashboard"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "tag", operand = "is", value = "beta" },
    ]
  }
}

# app: devices that have another app set (is or is_not).
resource "upswift_app_removal" "by_app" {
  app_name = "metrics-agent-v1"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "app", operand = "is", value = "metrics-agent-v2" },
    ]
  }
}

# device_state: online or offline devices (operand is only). Several
# filters combine with AND; triggers forces the removal to run again
# whenever one of its values changes.
resource "upswift_app_removal" "by_device_state" {
  app_name = "legacy-agent"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
      { type = "tag", operand = "is_not", value = "keep-legacy" },
    ]
  }

  triggers = {
    fleet_image = "2024.06"
  }
}

# update_status: devices by the status of their last update: pending,
# in_progress, success, failed or aborted (is or is_not).
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
