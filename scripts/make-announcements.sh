#!/bin/sh
# Regenerates crocetta's built-in announcements (assets/announcements/{it,en}.wav) and the human check's prompt
# (assets/check/{it,en}.wav): 8 kHz mono 16-bit PCM WAV.
# Needs espeak-ng and sox (Debian/Ubuntu: apt-get install espeak-ng sox). The output is committed; run this only
# to change the wording or the voice, then check the files by ear (`play assets/announcements/it.wav`).
#
# Pipeline: espeak-ng speaks at its native 22.05 kHz → sox: telephone band (highpass 300 Hz, lowpass 3400 Hz),
# resample to 8 kHz with a good anti-alias filter (rate -v), peak-normalise to -3 dBFS, 16-bit mono, and add 150 ms of
# silence before the voice so the first word is not clipped while the far end's jitter buffer settles.
set -eu
cd "$(dirname "$0")/.."
out=assets/announcements
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

speak() { # voice speed text file
  espeak-ng -v "$1" -s "$2" -w "$tmp/raw.wav" "$3"
  sox "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$4" highpass 300 lowpass 3400 rate -v 8000 gain -n -3 pad 0.15 0.2
}

speak it 150 "No, grazie. Questo numero non accetta offerte commerciali: non richiamate." "$out/it.wav"
speak en-gb 155 "No, thank you. This number does not accept sales calls: do not call again." "$out/en.wav"
mkdir -p assets/check
speak it 165 "Per parlare con noi, premete 1." assets/check/it.wav
speak en-gb 165 "To speak with us, press 1." assets/check/en.wav
for f in "$out"/it.wav "$out"/en.wav assets/check/it.wav assets/check/en.wav; do
  printf '%s: %s s, %s bytes\n' "$f" "$(soxi -D "$f")" "$(wc -c < "$f")"
done
