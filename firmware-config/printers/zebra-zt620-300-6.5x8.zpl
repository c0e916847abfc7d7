~SD20
^XA
^FX Zebra ZT620 - industrial 6 in class (168 mm print width), 300 dpi, thermal transfer on 6.5 x 8 in gap labels (GS1 pallet labels with lots of up to 20 letters, template sscc-pallet, at the inbound dock).
^FX Send once (nc <printer-ip> 9100 < zebra-zt620-300-6.5x8.zpl); the save command at the end keeps it over power cycles.
^FX Resolution: 300 dpi (11.81 dots/mm). In the gateway configure this printer with dpi: 300 and profile: 6.5x8.
^FX Media: thermal transfer (ribbon as wide as the labels), labels with gaps, 6.5 x 8 in (1950 x 2400 dots).
^MTT
^MNY
^FX Print mode tear-off; feed to the next label on power-up and head close.
^MMT
^MFF,F
^FX Darkness 20 of 30 (the SD command on the first line); raise in steps of 2 if bars look thin or grey, lower if they bleed.
^FX Print width and label length for 6.5 x 8 in. For other media change both (dots = mm x 11.81).
^PW1950
^LL2400
^LH0,0
^LT0
^LS0
^PON
^FX Speed 4 in/s print, 4 in/s slew, 2 in/s backfeed: well below this model's maximum.
^FX GS1 bar codes scan best below full speed; raise only after a verifier check.
^PR4,4,2
^FX Chinese text needs a CJK font linked to font 0: see README.md, section Chinese text.
^FX Save all of the above and the darkness as power-up defaults.
^JUS
^XZ
