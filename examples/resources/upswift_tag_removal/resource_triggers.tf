# Remove the "canary" tag from every device that finished its update, again
# whenever the release changes.
variable "release" {
  type    = string
  default = "2024.06.1"
}

resource "upswift_tag_removal" "canary_done" {
  tag_name = "canary"

  device_filter = {
    project = { name = "Demo" }
    filters = [
      { type = "tag", operand = "is", value = "canary" },
      { type = "update_status", operand = "is", value = "success" },
    ]
  }

  triggers = {
    release = var.release
  }
}
