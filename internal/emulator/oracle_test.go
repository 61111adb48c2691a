package emulator

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNothingOfTheClient: the emulator checks the provider's client,
// so neither it nor its tests may borrow the client's code (its filter
// table, its latest-update rule, its paging).
func TestImportsNothingOfTheClient(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasSuffix(path, "/internal/upswift") || strings.Contains(path, "/internal/upswift/") || strings.Contains(path, "/internal/provider") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
