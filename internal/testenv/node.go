package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Node returns the node binary and the directory of the npm project
// testdata/<project> at the module's root, whose packages `npm ci
// --prefix testdata/<project>` installs (.ci/run does); it skips or fails
// (Unavailable) when either is missing. Tests use such projects to check
// our protocols against implementations that are not ours.
func Node(t testing.TB, project string) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		Unavailable(t, "no node on PATH (apt-get install nodejs npm)")
		return "", ""
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "testdata", project)
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		Unavailable(t, "the npm packages of testdata/"+project+" are not installed (npm ci --prefix testdata/"+project+")")
		return "", ""
	}
	return node, dir
}

// moduleRoot is the nearest directory above the working directory (a
// test's package) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
