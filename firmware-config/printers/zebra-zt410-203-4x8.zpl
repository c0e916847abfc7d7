~SD20
^XA
^FX Zebra ZT410 - industrial 4 in, 203 dpi, thermal transfer (wax/resin ribbon) on 4 x 8 in gap labels (GS1 pallet labels, template sscc-pallet, at the inbound dock).
^FX Send once (nc <printer-ip> 9100 < zebra-zt410-203-4x8.zpl); the save command at the end keeps it over power cycles.
^FX Resolution: 203 dpi (7.99 dots/mm). In the gateway configure this printer with dpi: 203 and profile: 4x8.
^FX Media: thermal transfer (ribbon), labels with gaps, 4 x 8 in (812 x 1624 dots).
^MTT
^MNY
^FX Print mode tear-off; feed to the next label on power-up and head close.
^MMT
^MFF,F
^FX Darkness 20 of 30 (the SD command on the first line); raise in steps of 2 if bars look thin or grey, lower if they bleed.
^FX Print width and label length for 4 x 8 in. For other media change both (dots = mm x 7.99).
^PW812
^LL1624
^LH0,0
^LT0
^LS0
^PON
^FX Speed 6 in/s print, 6 in/s slew, 2 in/s backfeed (this model: up to 14 in/s).
^FX GS1 bar codes scan best below full speed; raise only after a verifier check.
^PR6,6,2
^FX Chinese text needs a CJK font linked to font 0: see README.md, section Chinese text.
^FX Save all of the above and the darkness as power-up defaults.
^JUS
^XZ
