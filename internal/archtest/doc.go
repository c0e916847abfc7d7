// Package archtest holds the test that keeps Dockhand's imports running one
// way: commands on top, then daemons and adapters, central's application
// layer, its domain packages and the stock kernel; drivers, label rendering
// and the MQTT contract below them. The rules and the reason for each are in
// imports_test.go; the package has no code of its own.
package archtest
