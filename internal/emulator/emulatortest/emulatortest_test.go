package emulatortest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
	"github.com/upswift/terraform-provider-upswift/internal/emulator/emulatortest"
)

func TestStart(t *testing.T) {
	var url string
	t.Run("server", func(t *testing.T) {
		s := emulatortest.Start(t, emulator.DemoFleet())
		url = s.URL
		body := `{"user_token":"demo-token","app_name":"metrics","device_filter":{"project":{"name":"Demo"},"groups":[],"filters":[]}}`
		req, err := http.NewRequest(http.MethodDelete, s.URL+"/v1/device_apps", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if _, ok := s.Emulator.Devices("demo-token")["d-4ec7-1be9"].Apps["metrics"]; ok {
			t.Error("metrics not removed")
		}
	})
	// The subtest's cleanup closed the server.
	http.DefaultClient.CloseIdleConnections()
	if resp, err := http.Get(url + "/_emulator/health"); err == nil {
		_ = resp.Body.Close()
		t.Error("server still running after the test ended")
	}
}
