# Declares the removal; nothing happens until it is invoked:
#
#   terraform apply -invoke=action.upswift_app_removal.legacy_agent
#
# Needs Terraform 1.14 or later. Nothing is kept in state.
action "upswift_app_removal" "legacy_agent" {
  config {
    app_name = "legacy-agent"
    device_filter = {
      project = { name = "Demo" }
      groups  = [{ name = "TestGroup1" }]
    }
  }
}
