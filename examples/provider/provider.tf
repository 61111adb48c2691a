terraform {
  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

variable "upswift_user_token" {
  description = "User token from Settings on the Upswift (JFrog Connect) dashboard."
  type        = string
  sensitive   = true
}

# user_token may be left out when UPSWIFT_USER_TOKEN is set, and endpoint
# when UPSWIFT_ENDPOINT is set (or the default endpoint is wanted).
provider "upswift" {
  user_token = var.upswift_user_token

  # Optional:
  endpoint            = "https://api.connect.jfrog.io" # the default
  max_retries         = 4                              # the default; 0 disables retries
  requests_per_minute = 30                             # unset by default: the provider finds the API's rate itself
}
