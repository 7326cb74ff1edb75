"""What users ask Quillnote's support, and how the assistant answers: hand-written questions and
answers, filled with the words of each platform (demo/platforms.py) by demo/corpus.py.

The house style of the answers: one sentence that answers, numbered steps for the user's
platform, and at most one short line after them. No greeting, no emoji, no headings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    key: str
    topic: str
    questions: tuple[str, ...]
    answer: str


INTENTS: tuple[Intent, ...] = (
    Intent(
        "export-pdf",
        "export",
        (
            "how do I export a note as a PDF {on}?",
            "Is there a way to save a note as a PDF {on}",
            "I need to send my meeting notes as a PDF to someone who doesn't use Quillnote. How?",
            "can I print a note to pdf {on}",
        ),
        "You can export any note as a PDF from the note's menu.\n\n1. Open the note.\n"
        "2. {note_menu}.\n3. Choose **Export → PDF** and pick where to save it.\n\n"
        "Images and checklists are kept; comments are left out.",
    ),
    Intent(
        "export-notebook",
        "export",
        (
            "How can I export a whole notebook at once {on}?",
            "is it possible to back up all my notes to files",
            "I want to download every note in my Work notebook. Is there a bulk export?",
        ),
        "Whole notebooks export as a ZIP of Markdown files.\n\n1. {sidebar}.\n"
        "2. Right-click (or touch and hold) the notebook and choose **Export notebook**.\n"
        "3. Pick **Markdown (.zip)** and save the file.\n\n"
        "Attachments are included in a folder next to each note.",
    ),
    Intent(
        "sync-not-working",
        "sync",
        (
            "My notes aren't syncing {on}. I edited a note on my laptop and it's not showing up.",
            "sync seems stuck {on}, the little cloud icon keeps spinning",
            "Changes I make {on} don't appear on my other devices",
            "Why is Quillnote not syncing?",
        ),
        "Most sync problems clear once the app reconnects.\n\n"
        "1. Check that the {device} is online and that you are signed in to the same account "
        "on both devices.\n2. {restart}.\n3. {settings}, open **Sync** and tap or click "
        "**Sync now**.\n\nIf a note still doesn't appear after that, send us the time of the "
        "last edit and we'll look at the sync log.",
    ),
    Intent(
        "sync-conflict",
        "sync",
        (
            "I have two copies of the same note with '(conflict)' in the title. What happened?",
            "Quillnote created a conflicted copy of my note {on}",
            "what does 'conflicted copy' mean and which one should I keep",
        ),
        "A conflicted copy appears when the same note was edited on two devices while one of "
        "them was offline.\n\n1. Open both copies and compare them.\n2. Copy what you need "
        "into the original note.\n3. Delete the copy whose title ends in **(conflict)**.\n\n"
        "Nothing is lost: both versions are also in the note's version history.",
    ),
    Intent(
        "share-note",
        "sharing",
        (
            "How do I share a note with a colleague {on}?",
            "can I let someone else edit one of my notes",
            "I'd like to send a read-only link to a note. Possible?",
            "How does sharing work {on}",
        ),
        "You can invite people to a note or share a link to it.\n\n1. Open the note and "
        "{share}.\n2. Type an email address to invite someone, and choose **Can edit** or "
        "**Can view**.\n3. Or turn on **Share link** and copy it.\n\n"
        "You can turn the link off at any time from the same screen.",
    ),
    Intent(
        "stop-sharing",
        "sharing",
        (
            "How do I stop sharing a note?",
            "I shared a notebook by mistake, how can I remove access {on}",
            "remove someone from a shared note",
        ),
        "You can remove access from the note's sharing screen.\n\n1. Open the note and "
        "{share}.\n2. Next to the person's name, choose **Remove**.\n3. To disable a public "
        "link, turn off **Share link**.\n\nPeople you remove lose access right away.",
    ),
    Intent(
        "recover-deleted",
        "trash",
        (
            "I accidentally deleted a note {on}. Can I get it back?",
            "deleted a whole notebook by mistake!! please help",
            "Where do deleted notes go?",
            "how long do notes stay in the trash",
        ),
        "Deleted notes stay in the Trash for 30 days.\n\n1. {sidebar}.\n2. Open **Trash**.\n"
        "3. Select the note and choose **Restore**.\n\nA restored note goes back to the "
        "notebook it came from.",
    ),
    Intent(
        "version-history",
        "trash",
        (
            "Can I see an older version of a note {on}?",
            "I overwrote part of my note, is there a version history?",
            "how do I undo changes from yesterday in a note",
        ),
        "Every note keeps its version history.\n\n1. Open the note.\n2. {note_menu} and "
        "choose **Version history**.\n3. Pick a version and choose **Restore this version**.\n\n"
        "Free accounts keep 7 days of history, Plus and Team keep a year.",
    ),
    Intent(
        "tags",
        "organising",
        (
            "How do tags work in Quillnote?",
            "can I add tags to notes {on}",
            "What's the difference between tags and notebooks?",
            "how do I rename a tag",
        ),
        "A note lives in one notebook but can have any number of tags.\n\n1. Open the note "
        "and type **#** followed by the tag name anywhere in it, or {note_menu} and choose "
        "**Tags**.\n2. To rename or delete a tag, {sidebar} and open **Tags**.\n\n"
        "Renaming a tag updates every note that has it.",
    ),
    Intent(
        "move-notes",
        "organising",
        (
            "How do I move several notes to another notebook {on}?",
            "move notes between notebooks",
            "is there a way to move a bunch of notes at once",
        ),
        "You can move several notes together.\n\n1. In the note list, {select}.\n"
        "2. Choose **Move**.\n3. Pick the notebook.\n\n"
        "Shared notes keep their sharing settings when they move.",
    ),
    Intent(
        "search",
        "search",
        (
            "How do I search inside my notes {on}?",
            "search doesn't find words inside my PDFs",
            "Can I search for text in images?",
            "what's the fastest way to find a note",
        ),
        "Search looks through titles, text, tags and attachments.\n\n1. {search}.\n"
        "2. Type your words; add **tag:name** or **notebook:name** to narrow it down.\n"
        "3. Open a result to jump to the match.\n\n"
        "Text in PDFs and images is searchable on Plus and Team, a few minutes after upload.",
    ),
    Intent(
        "attachments",
        "attachments",
        (
            "What's the maximum file size for attachments?",
            "can I attach files to a note {on}",
            "my attachment won't upload, it just says failed",
        ),
        "You can attach any file to a note.\n\n1. Open the note.\n2. {note_menu} and choose "
        "**Attach file**, or drag the file into the note.\n3. Wait for the upload to finish "
        "before closing the note.\n\nFiles can be up to 25 MB on Free and 200 MB on Plus and "
        "Team; larger uploads fail.",
    ),
    Intent(
        "offline",
        "offline",
        (
            "Does Quillnote work offline {on}?",
            "can I access my notes on a plane without wifi",
            "How do I make a notebook available offline?",
        ),
        "Notes you've opened recently are always available offline; whole notebooks can be "
        "kept offline too.\n\n1. {sidebar}.\n2. Right-click (or touch and hold) the notebook.\n"
        "3. Turn on **Available offline**.\n\nEdits made offline sync when you reconnect.",
    ),
    Intent(
        "reminders",
        "reminders",
        (
            "How do I set a reminder on a note {on}?",
            "can quillnote remind me about a note tomorrow morning",
            "my reminders don't show up as notifications {on}",
        ),
        "Any note can have a reminder.\n\n1. Open the note.\n2. {note_menu} and choose "
        "**Remind me**.\n3. Pick a date and time.\n\nIf notifications don't appear, check that "
        "Quillnote is allowed to send notifications in your {device}'s settings.",
    ),
    Intent(
        "templates",
        "templates",
        (
            "Can I create my own note templates?",
            "how do I use a template for meeting notes {on}",
            "is there a template for daily journals",
        ),
        "Templates are notes you can copy with one click.\n\n1. Write the note you want to "
        "reuse.\n2. {note_menu} and choose **Save as template**.\n3. Next time, {new} and "
        "choose **From template**.\n\nA few ready-made templates, including meeting notes and "
        "a daily journal, are in the same list.",
    ),
    Intent(
        "import-evernote",
        "import",
        (
            "How do I import my notes from Evernote?",
            "can I move everything from evernote to quillnote",
            "Does the Evernote import keep my tags?",
        ),
        "You can import an Evernote export file (.enex).\n\n1. In Evernote, export your "
        "notebooks as **.enex** files.\n2. In Quillnote, {settings} and open **Import**.\n"
        "3. Choose **Evernote** and select the files.\n\n"
        "Tags, attachments and creation dates are kept.",
    ),
    Intent(
        "import-markdown",
        "import",
        (
            "Can I import a folder of Markdown files?",
            "how to import .md files {on}",
            "I have my notes in Obsidian, can I bring them over?",
        ),
        "Markdown folders import as notebooks.\n\n1. {settings} and open **Import**.\n"
        "2. Choose **Markdown folder** and select the folder.\n3. Each subfolder becomes a "
        "notebook.\n\nLinks between notes and images next to the files are kept.",
    ),
    Intent(
        "password-reset",
        "account",
        (
            "I forgot my password",
            "how do I reset my quillnote password {on}",
            "The password reset email never arrived",
        ),
        "You can reset your password from the sign-in screen.\n\n1. Sign out if needed, then "
        "choose **Forgot password?**.\n2. Enter your email address.\n3. Follow the link in "
        "the email within an hour.\n\nIf the email doesn't arrive within a few minutes, check "
        "your spam folder for a message from no-reply@quillnote.app.",
    ),
    Intent(
        "two-factor",
        "account",
        (
            "How do I turn on two-factor authentication?",
            "does quillnote support 2FA",
            "I lost my phone and can't get my 2FA codes",
        ),
        "Two-factor authentication uses an authenticator app.\n\n1. {settings} and open "
        "**Security**.\n2. Choose **Turn on two-factor** and scan the code with your "
        "authenticator app.\n3. Save the recovery codes somewhere safe.\n\n"
        "If you lose your phone, sign in with one of the recovery codes.",
    ),
    Intent(
        "cancel-subscription",
        "billing",
        (
            "How do I cancel my Plus subscription?",
            "I want to downgrade to the free plan",
            "cancel my subscription please",
        ),
        "You can cancel at any time; Plus stays active until the end of the period you paid "
        "for.\n\n1. {settings} and open **Plan**.\n2. Choose **Cancel subscription**.\n"
        "3. Confirm.\n\nIf you subscribed through the App Store or Google Play, cancel it "
        "there instead.",
    ),
    Intent(
        "plans",
        "billing",
        (
            "What's the difference between Free and Plus?",
            "is Plus worth it, what do I get",
            "How much does the Team plan cost?",
        ),
        "Free covers notes, tags and sync on two devices; Plus adds unlimited devices, "
        "search in PDFs and images, a year of version history and 200 MB attachments; Team "
        "adds shared notebooks with admin controls.\n\n1. {settings} and open **Plan** to "
        "compare the plans.\n2. Choose a plan to see its price in your currency.\n\n"
        "Plus has a 14-day free trial.",
    ),
    Intent(
        "update-app",
        "troubleshooting",
        (
            "How do I update Quillnote {on}?",
            "the app keeps crashing {on}",
            "a feature from the release notes isn't showing up for me",
        ),
        "Most problems are fixed by the latest version.\n\n1. {update}.\n2. {restart}.\n"
        "3. If it still happens, {settings}, open **Help** and choose **Send diagnostics**.\n\n"
        "Diagnostics contain no note content.",
    ),
    Intent(
        "formatting",
        "editor",
        (
            "How do I make a checklist {on}?",
            "can I use markdown in notes",
            "how do I add a table to a note",
            "Is there a way to highlight text?",
        ),
        "The editor understands Markdown shortcuts as you type.\n\n1. Start a line with "
        "**[ ]** for a checklist, **#** for a heading or **-** for a bullet list.\n"
        "2. Type **/table** to insert a table.\n3. Select text and use the toolbar for bold, "
        "highlight and links.\n\nType **/** on an empty line to see every block.",
    ),
    Intent(
        "web-clipper",
        "clipper",
        (
            "How do I save a web page to Quillnote?",
            "does the web clipper work in Firefox",
            "the clipper saves the whole page with ads, can I just save the article?",
        ),
        "The Quillnote web clipper saves pages, articles or selections.\n\n1. Install the "
        "clipper from your browser's extension store (Chrome, Firefox, Edge and Safari).\n"
        "2. Click the clipper icon on the page.\n3. Choose **Article** to keep only the text "
        "and images, then pick a notebook.\n\nClips keep a link to the original page.",
    ),
)
