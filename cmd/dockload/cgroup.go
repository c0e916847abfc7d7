package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// memoryGroup is a memory cgroup that holds the gateway process, like
// MemoryMax= in the gateway's systemd unit: the kernel must keep the
// process within the limit, reclaiming file-backed pages (Badger's mapped
// tables and logs) first, or OOM-kill it. Both cgroup v2 and v1 are
// supported, since a Pi's OS and this VM differ.
type memoryGroup struct {
	dir  string
	v1   bool
	peak string // file with the peak usage in bytes
}

func newMemoryGroup(limit uint64) (*memoryGroup, error) {
	name := fmt.Sprintf("dockload-%d", os.Getpid())
	if ctl, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil && strings.Contains(string(ctl), "memory") {
		g := &memoryGroup{dir: filepath.Join("/sys/fs/cgroup", name), peak: "memory.peak"}
		return g, g.create("memory.max", limit)
	}
	if _, err := os.Stat("/sys/fs/cgroup/memory/cgroup.procs"); err == nil {
		g := &memoryGroup{dir: filepath.Join("/sys/fs/cgroup/memory", name), v1: true, peak: "memory.max_usage_in_bytes"}
		return g, g.create("memory.limit_in_bytes", limit)
	}
	return nil, errors.New("no memory cgroup controller is available here (needs root and cgroup v1 or v2 with memory)")
}

func (g *memoryGroup) create(limitFile string, limit uint64) error {
	if err := os.Mkdir(g.dir, 0o755); err != nil {
		return fmt.Errorf("create memory cgroup: %w", err)
	}
	return g.write(limitFile, strconv.FormatUint(limit, 10))
}

func (g *memoryGroup) write(file, v string) error {
	if err := os.WriteFile(filepath.Join(g.dir, file), []byte(v), 0o644); err != nil {
		return fmt.Errorf("memory cgroup %s: %w", file, err)
	}
	return nil
}

// add moves a process into the group.
func (g *memoryGroup) add(pid int) error { return g.write("cgroup.procs", strconv.Itoa(pid)) }

// report says how much the group used at most and whether the kernel
// killed anything in it for want of memory.
func (g *memoryGroup) report() (peak uint64, oomKills int) {
	b, _ := os.ReadFile(filepath.Join(g.dir, g.peak))
	peak, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	events := "memory.events"
	if g.v1 {
		events = "memory.oom_control"
	}
	b, _ = os.ReadFile(filepath.Join(g.dir, events))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			oomKills, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return peak, oomKills
}

// remove deletes the group once its processes have ended.
func (g *memoryGroup) remove() { _ = os.Remove(g.dir) }
