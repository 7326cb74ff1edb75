"""More ways users ask the questions of demo/intents.py, as they come in to support: terse,
chatty, lowercase, with the context of what they were doing."""

from __future__ import annotations

MORE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "export-pdf": (
        "my boss wants the project plan as a pdf, can Quillnote do that {on}?",
        "Export to PDF option?",
        "how do I turn my recipe note into a PDF I can print {on}",
        "Where is the PDF export? I looked everywhere {on}",
    ),
    "export-notebook": (
        "I'm leaving my job and want a copy of my Work notebook. How do I download it?",
        "can I export a notebook to markdown",
        "is there a way to get all notes in a notebook out as files {on}",
    ),
    "sync-not-working": (
        "notes I wrote {on} this morning aren't on my laptop",
        "The sync status says 'waiting' forever {on}",
        "my phone and my computer show different versions of the same note",
        "Quillnote says 'sync paused' {on}, what does that mean?",
        "edits from my tablet never make it to the web app",
    ),
    "sync-conflict": (
        "Why do I have a note called 'Groceries (conflict)'?",
        "two versions of my journal entry showed up after I was on a flight",
        "how do I merge a conflicted note {on}",
    ),
    "share-note": (
        "how can my wife and I both edit the shopping list note {on}?",
        "Can I share a note with someone who doesn't have Quillnote?",
        "what's the difference between 'can edit' and 'can view'",
        "I want to publish a note as a web page {on}",
    ),
    "stop-sharing": (
        "A former colleague still has access to my notes, how do I revoke it?",
        "how do I turn off the public link to my note {on}",
        "unshare a notebook {on}",
    ),
    "recover-deleted": (
        "is there a recycle bin in Quillnote?",
        "how do I restore a deleted notebook {on}",
        "I deleted a note last week by accident {on}, is it still recoverable?",
        "where is the trash {on}",
    ),
    "version-history": (
        "my coworker deleted half of our shared note, can I roll it back {on}?",
        "does quillnote keep old versions of notes",
        "How far back does version history go?",
        "restore a previous version of a note {on}",
    ),
    "tags": (
        "how do I see all notes with a certain tag {on}?",
        "Can a note have more than one tag?",
        "delete a tag without deleting the notes {on}",
        "are tags shared when I share a note?",
    ),
    "move-notes": (
        "how do I move a note to a different notebook {on}?",
        "I put a note in the wrong notebook, how do I fix that {on}",
        "Can I drag notes between notebooks?",
    ),
    "search": (
        "search only finds note titles, not the text {on}",
        "how do I search within one notebook {on}?",
        "Can I search by tag?",
        "is there a keyboard shortcut for search {on}",
    ),
    "attachments": (
        "how do I add a photo to a note {on}?",
        "The 40 MB video I attached fails to upload {on}",
        "can I attach a Word document to a note",
        "where do my attachments get stored?",
    ),
    "offline": (
        "I travel a lot, will my notes be available without internet {on}?",
        "do edits made offline get lost",
        "how do I download my notebooks for offline use {on}",
    ),
    "reminders": (
        "can I set a repeating reminder, like every Monday?",
        "reminder notifications stopped working after the update {on}",
        "how do I remove a reminder from a note {on}",
    ),
    "templates": (
        "how do I delete a template I made {on}?",
        "Can I share my templates with my team?",
        "is there a way to start every new note from the same layout {on}",
    ),
    "import-evernote": (
        "I'm switching from Evernote, what's the easiest way?",
        "my evernote import skipped some notes",
        "How long does an Evernote import take for 5,000 notes?",
    ),
    "import-markdown": (
        "can I bring my notes over from Bear or Notion?",
        "does the markdown import keep images?",
        "import a zip of markdown files {on}",
    ),
    "password-reset": (
        "I can't log in, it says my password is wrong",
        "change my password {on}",
        "the reset link says it expired",
    ),
    "two-factor": (
        "how do I use my recovery codes?",
        "I got a new phone, how do I move my 2FA to it {on}?",
        "can I turn off two-factor authentication {on}",
    ),
    "cancel-subscription": (
        "will I lose my notes if I cancel Plus?",
        "how do I stop auto-renewal {on}",
        "I was charged after cancelling, why?",
    ),
    "plans": (
        "do you have a student discount?",
        "how many devices can I use on the free plan?",
        "what happens when my Plus trial ends {on}",
    ),
    "update-app": (
        "Quillnote freezes when I open a big note {on}",
        "the app won't open after the latest update {on}",
        "which version of Quillnote do I have {on}",
    ),
    "formatting": (
        "how do I add a heading {on}?",
        "can I change the font size in a note",
        "how do I insert a code block",
        "is there a way to add a horizontal line {on}",
    ),
    "web-clipper": (
        "the web clipper button doesn't do anything in Chrome",
        "can I clip just a selection of a page?",
        "how do I choose which notebook clips go to",
    ),
}
