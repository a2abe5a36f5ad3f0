#!/usr/bin/env bash
# The demo: installs what is missing, builds, and runs courtavd with three
# test-pattern cameras and two test-tone microphones. State and recordings go
# to ./_demo. Stop with Ctrl-C (the current segments are closed cleanly).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=debugoptimized >/dev/null
fi
ninja -C build >/dev/null

mkdir -p _demo/exhibits
sed -e "s|^state_dir = .*|state_dir = $top/_demo|" \
    -e "s|^folder = .*|folder = $top/_demo/exhibits|" \
    -e "s|^# ui_dir = .*|ui_dir = $top/ui|" config/courtavd.example.ini > _demo/courtavd.ini
# An exhibit to show on the evidence input "doc".
[ -f _demo/exhibits/exhibit-1.png ] ||
  gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=1280,height=720 ! \
    pngenc ! filesink location=_demo/exhibits/exhibit-1.png
build/appliance/courtavd --check-config _demo/courtavd.ini
# Demo accounts, made once: a clerk with a PIN for the panel, an admin.
if [ ! -f _demo/.demo-users ]; then
  echo 246810 | build/appliance/courtavd -c _demo/courtavd.ini --add-user demo-clerk --role clerk
  echo demo-admin-1 | build/appliance/courtavd -c _demo/courtavd.ini --add-user demo-admin \
    --role admin --secret-kind password
  touch _demo/.demo-users
fi
cat <<MSG

courtavd is starting (room 101, 3 test cameras, 2 test microphones).
Touch panel:  http://127.0.0.1:8780/panel/   user demo-clerk, PIN 246810
Status page:  http://127.0.0.1:8780/panel/status.html
Admin:        demo-admin, password demo-admin-1 (change it: PATCH /api/v1/users/2)
Try, in another terminal:
  echo 246810 | build/tools/courtavctl login --user demo-clerk
  build/tools/courtavctl status
  build/tools/courtavctl case create --number '（2026）兵0101刑初12号' --title '张某盗窃案'
  build/tools/courtavctl hearing open 1
  build/tools/courtavctl evidence show doc exhibit-1.png   (then: evidence stop)
  build/tools/courtavctl hearing pause 1 --reason 休庭
  build/tools/courtavctl hearing resume 1
  build/tools/courtavctl hearing close 1 && build/tools/courtavctl hearing seal 1
  build/tools/courtavctl verify _demo/media

MSG
exec build/appliance/courtavd --config _demo/courtavd.ini
