variable "app_name" {
  description = "The app to remove, as it appears on the dashboard."
  type        = string

  validation {
    condition     = trimspace(var.app_name) != ""
    error_message = "app_name must name an app: it is empty."
  }
}

variable "device_filter" {
  description = "The devices to remove the app from: the devices of project that belong to any of groups (every device of the project when groups is empty) and match every one of filters, as the provider's device_filter."
  type = object({
    project = object({ name = string })
    groups  = optional(list(object({ name = string })), [])
    filters = optional(list(object({ type = string, operand = string, value = string })), [])
  })
}

variable "max_devices" {
  description = "The most devices the removal may apply to. The plan fails, and nothing is removed, when device_filter selects more."
  type        = number

  validation {
    condition     = var.max_devices >= 1 && floor(var.max_devices) == var.max_devices
    error_message = "max_devices must be a whole number of at least 1."
  }
}
