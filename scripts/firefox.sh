#!/bin/sh
# Firefox for the e2e suite. Playwright launches Firefox with MOZ_CRASHREPORTER_SHUTDOWN=1, which makes the
# whole browser quit when a tab's content process dies; the crash tests kill one on purpose (Firefox has no
# Page.crash over WebDriver BiDi), so the variable is dropped and the other tabs live on, as in real life.
unset MOZ_CRASHREPORTER_SHUTDOWN
exec "${STINT_FIREFOX:-/usr/bin/firefox-esr}" "$@"
