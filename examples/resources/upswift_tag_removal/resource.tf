# Remove the "beta" tag from the online devices of one group of the "Demo"
# project: a tag with that name must exist in the account.
resource "upswift_tag_removal" "beta" {
  tag_name = "beta"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}
