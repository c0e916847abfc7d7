package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// SmallDisk mounts a real filesystem of size bytes for the test and
// returns its mount point; it is unmounted when the test ends. fstype is
// "tmpfs", or "ext4" (an image file formatted with mkfs.ext4 and mounted
// through a loop device, as a Pi's SD card). Mounting needs root
// (CAP_SYS_ADMIN), which CI has: without it the test skips with the
// reason, or fails under DOCKHAND_REQUIRE_SERVICES=1.
func SmallDisk(t testing.TB, fstype string, size int64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	switch fstype {
	case "tmpfs":
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
			Unavailable(t, fmt.Sprintf("cannot mount a %d-byte tmpfs (needs root): %v", size, err))
			return ""
		}
	case "ext4":
		img := filepath.Join(t.TempDir(), "disk.img")
		if err := os.WriteFile(img, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, size); err != nil {
			t.Fatal(err)
		}
		// No reserved blocks: the test's root user would use them anyway.
		if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-m", "0", img).CombinedOutput(); err != nil {
			Unavailable(t, fmt.Sprintf("mkfs.ext4 (e2fsprogs) failed: %v: %s", err, out))
			return ""
		}
		if out, err := exec.Command("mount", "-o", "loop", img, dir).CombinedOutput(); err != nil {
			Unavailable(t, fmt.Sprintf("cannot loop-mount an ext4 image (needs root and loop devices): %v: %s", err, out))
			return ""
		}
	default:
		t.Fatalf("SmallDisk: unknown filesystem %q", fstype)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			// Something (a child the test killed) may still hold a file:
			// detach now, the kernel finishes when it is released.
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// Fill takes all but keep bytes of the free space of the filesystem at dir
// (or all of it, when keep is 0) with a file that the returned function
// removes (space returning).
func Fill(t testing.TB, dir string, keep int64) (release func()) {
	t.Helper()
	free := func() int64 {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		return int64(st.Bavail) * int64(st.Bsize)
	}
	f, err := os.CreateTemp(dir, "filler-")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// In steps: a filesystem needs some of its free blocks for the
	// filler's own metadata, so one request for all of it fails.
	var off int64
	for step := int64(1 << 20); step >= 4096; {
		n := min(step, free()-keep)
		if n < 4096 {
			break
		}
		err := syscall.Fallocate(int(f.Fd()), 0, off, n)
		if errors.Is(err, syscall.ENOSPC) {
			step /= 2
			continue
		}
		if err != nil {
			t.Fatalf("fill %s: %v", dir, err)
		}
		off += n
	}
	return func() {
		if err := os.Remove(f.Name()); err != nil {
			t.Error(err)
		}
	}
}
