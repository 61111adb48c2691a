# Groups only: every device of either group.
resource "upswift_app_removal" "by_groups" {
  app_name = "legacy-agent"

  device_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
  }
}
