~SD15
^XA
^FX Zebra ZD421d - desktop 4 in, 203 dpi, direct thermal on 4 x 6 in gap labels (pack station shipping labels).
^FX Send once (nc <printer-ip> 9100 < zebra-zd421-203.zpl); the save command at the end keeps it over power cycles.
^FX Resolution: 203 dpi (7.99 dots/mm). In the gateway configure this printer with dpi: 203 and profile: 4x6.
^FX Media: direct thermal (no ribbon), labels with gaps, 4 x 6 in (812 x 1218 dots).
^MTD
^MNY
^FX Print mode tear-off; feed to the next label on power-up and head close.
^MMT
^MFF,F
^FX Darkness 15 of 30 (the SD command on the first line); raise in steps of 2 if bars look thin or grey, lower if they bleed.
^FX Print width and label length for 4 x 6 in. For other media change both (dots = mm x 7.99).
^PW812
^LL1218
^LH0,0
^LT0
^LS0
^PON
^FX Speed 5 in/s print, 5 in/s slew, 2 in/s backfeed (this model: up to 8 in/s).
^FX GS1 bar codes scan best below full speed; raise only after a verifier check.
^PR5,5,2
^FX Chinese text needs a CJK font linked to font 0: see README.md, section Chinese text.
^FX Save all of the above and the darkness as power-up defaults.
^JUS
^XZ
