"""The words that change from one platform of Quillnote to another, for the demo's support
dataset (demo/intents.py fills its answers with them).

Quillnote is an invented note-taking app; the demo dataset teaches its support assistant.
"""

from __future__ import annotations

PLATFORMS: dict[str, dict[str, str]] = {
    "iPhone": {
        "context": "I'm using the iPhone app.",
        "on": "on my iPhone",
        "device": "iPhone",
        "settings": "tap your avatar at the top left, then **Settings**",
        "note_menu": "tap **⋯** at the top right of the note",
        "share": "tap **Share** at the top of the note",
        "new": "tap the **+** button at the bottom right",
        "sidebar": "swipe right from the left edge to open the sidebar",
        "search": "pull down on the note list to show the search field",
        "restart": "swipe Quillnote away in the app switcher and open it again",
        "update": "open the App Store, tap your profile picture and update Quillnote",
        "select": "touch and hold a note, then tap **Select**",
    },
    "Android": {
        "context": "I'm on Android.",
        "on": "on my Android phone",
        "device": "phone",
        "settings": "tap **☰** at the top left, then **Settings**",
        "note_menu": "tap **⋮** at the top right of the note",
        "share": "tap **⋮** in the note, then **Share**",
        "new": "tap the round **+** button",
        "sidebar": "tap **☰** at the top left",
        "search": "tap the magnifying glass at the top",
        "restart": "close Quillnote from the recent apps screen and open it again",
        "update": "open Google Play, search for Quillnote and tap **Update**",
        "select": "touch and hold the first note, then tap the others",
    },
    "Windows": {
        "context": "This is on Windows 11.",
        "on": "on Windows",
        "device": "PC",
        "settings": "click your name at the top left, then **Settings** (or press Ctrl+,)",
        "note_menu": "click **⋯** at the top right of the note",
        "share": "click **Share** at the top right of the note",
        "new": "press Ctrl+N",
        "sidebar": "click **☰** or press Ctrl+Shift+S",
        "search": "press Ctrl+K",
        "restart": "quit Quillnote from the system tray and open it again",
        "update": "click your name, then **Check for updates**",
        "select": "hold Ctrl and click each note",
    },
    "Mac": {
        "context": "I'm on a Mac.",
        "on": "on my Mac",
        "device": "Mac",
        "settings": "choose **Quillnote → Settings** in the menu bar (or press ⌘,)",
        "note_menu": "click **⋯** at the top right of the note",
        "share": "click **Share** at the top right of the note",
        "new": "press ⌘N",
        "sidebar": "choose **View → Show Sidebar**",
        "search": "press ⌘K",
        "restart": "press ⌘Q and open Quillnote again",
        "update": "choose **Quillnote → Check for Updates**",
        "select": "hold ⌘ and click each note",
    },
    "web": {
        "context": "I use the web version in Chrome.",
        "on": "in the web app",
        "device": "browser",
        "settings": "click your name at the top left, then **Settings**",
        "note_menu": "click **⋯** at the top right of the note",
        "share": "click **Share** at the top right of the note",
        "new": "click **New note** at the top of the sidebar",
        "sidebar": "click **☰** at the top left",
        "search": "press Ctrl+K (⌘K on a Mac)",
        "restart": "reload the page and sign in again if asked",
        "update": "reload the page: the web app is always up to date",
        "select": "hold Shift and click the first and last note",
    },
}

OPENERS = (
    "",
    "",
    "",
    "Hi, ",
    "Hello! ",
    "Hey, quick question: ",
    "Hi there. ",
    "Sorry if this is obvious, but ",
    "",
    "Good morning. ",
)

CLOSERS = (
    "",
    "",
    " Thanks!",
    " Thanks in advance.",
    "",
    " Any help appreciated.",
    "",
)
