// Package printer drives Zebra-compatible ZPL label printers over raw TCP
// (port 9100) or a serial port.
//
// ParseHostStatus reads the printer's ~HS answer (paper out, paused, head
// open, ribbon out, buffer full, formats in buffer, labels remaining, ...).
// Print sends a job followed by ~HS: the printer's answer confirms that it
// received every byte of the job, so Print returns nil only for a job the
// printer has. Errors matching ErrNotSent guarantee that nothing reached the
// printer.
//
// PrintJob is what a gateway calls: status before, send once, status after
// until the label is out, with backoff while the printer is offline or not
// ready. It never sends a job twice: a send interrupted after bytes left the
// host is reported as failed (Result.Sent tells the caller not to reprint
// blindly), and a job held by the printer (paper ran out mid-job) is
// finished by the printer after recovery, not resent.
//
// User documentation: docs/devices.md.
package printer
