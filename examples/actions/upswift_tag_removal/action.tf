# Removes the "beta" tag from the devices of one group when invoked:
#
#   terraform apply -invoke=action.upswift_tag_removal.beta
#
# Needs Terraform 1.14 or later. Nothing is kept in state.
action "upswift_tag_removal" "beta" {
  config {
    tag_name = "beta"
    device_filter = {
      project = { name = "Demo" }
      groups  = [{ name = "TestGroup2" }]
    }
  }
}
