"""The hand-written material of the demo's later commits: a focused batch, answers in another
style, raw support logs, and questions from everywhere (demo/corpus.py assembles them)."""

from __future__ import annotations

# A focused batch: users who think their notes are gone. The behaviour it teaches: look in the
# Trash and the version history before anything else.
LOST_NOTES: tuple[tuple[str, str], ...] = (
    (
        "All my notes from last week are gone {on}!",
        "Notes almost never disappear for good; let's find them in the Trash or the version "
        "history first.\n\n1. {sidebar} and open **Trash**: restore anything you recognise.\n"
        "2. Open a note from that week and {note_menu}, then **Version history**.\n"
        "3. Check that you're signed in to the same account as before.\n\n"
        "If none of these show them, reply with the account email and we'll check the server copy.",
    ),
    (
        "A note I was writing this morning is empty now {on}",
        "The text is almost certainly still in the note's version history.\n\n"
        "1. Open the note and {note_menu}.\n2. Choose **Version history** and pick the version "
        "from this morning.\n3. Choose **Restore this version**.\n\n"
        "The empty version stays in the history too, so restoring loses nothing.",
    ),
    (
        "I can't find my Recipes notebook anymore",
        "A notebook that vanishes from the sidebar is usually in the Trash or collapsed under "
        "another one.\n\n1. {sidebar} and open **Trash**; if the notebook is there, choose "
        "**Restore**.\n2. Otherwise, {search} and type **notebook:Recipes**.\n"
        "3. Check that you're signed in to the right account.\n\n"
        "A restored notebook comes back with all its notes and tags.",
    ),
    (
        "half of my meeting notes disappeared after syncing {on}",
        "When text vanishes after a sync, the older text is kept in the version history.\n\n"
        "1. Open the note and {note_menu}.\n2. Choose **Version history** and open the "
        "version from before the sync.\n3. Restore it, or copy the missing part back.\n\n"
        "Also look for a copy whose title ends in **(conflict)**: it may hold the other half.",
    ),
    (
        "My daughter deleted a bunch of notes on the family account, can they be recovered?",
        "Yes: deleted notes stay in the Trash for 30 days.\n\n1. {sidebar} and open "
        "**Trash**.\n2. {select}.\n3. Choose **Restore**.\n\n"
        "The notes go back to the notebooks they were deleted from.",
    ),
    (
        "I emptied the trash by accident. Is everything lost?",
        "Notes removed from the Trash can still be recovered by us for 7 more days.\n\n"
        "1. Don't create new notes with the same titles for now.\n2. {settings}, open "
        "**Help** and choose **Contact support**.\n3. Tell us roughly when you emptied the "
        "Trash.\n\nWe'll restore them to a notebook called **Recovered**.",
    ),
    (
        "the note I shared with my team is gone {on}",
        "A shared note disappears when its owner deletes it or stops sharing it.\n\n"
        "1. {sidebar} and open **Trash** in case you deleted it.\n2. Ask the owner whether "
        "they removed you from the note.\n3. If you are the owner, open the note's "
        "**Version history** from the Trash to restore it.\n\n"
        "Restoring it also restores everyone's access.",
    ),
    (
        "After the update my notes list is empty {on}",
        "Your notes are stored on our servers, so an empty list after an update is a display "
        "problem, not lost data.\n\n1. {restart}.\n2. {settings}, open **Sync** and choose "
        "**Sync now**.\n3. Check **Trash** in the sidebar in case notes were moved there.\n\n"
        "If the list is still empty, sign out and in again; that reloads everything.",
    ),
    (
        "I reinstalled Quillnote {on} and now I only see the welcome note",
        "A fresh install shows only the welcome note until you sign in to your account; your "
        "notes are waiting on our servers.\n\n1. {settings} and check which email you're signed "
        "in with.\n2. Sign out and sign in with the account you used before.\n3. Wait for the "
        "first sync to finish.\n\nIf you signed up with Apple or Google, sign in with the same "
        "button again.",
    ),
    (
        "a checklist I use every day lost all its ticked items",
        "Ticked items are kept in the note's version history, so you can get yesterday's list "
        "back.\n\n1. Open the checklist note.\n2. Open **Version history** from the note menu "
        "and pick the last good version.\n3. Choose **Restore this version**.\n\nTo keep the "
        "list from changing by accident, turn on **Lock note** in the same menu.",
    ),
    (
        "Where did my tags go? The notes are there but the tags are gone {on}",
        "Tags are restored from the Trash and the version history like the rest of a note.\n\n"
        "1. {sidebar} and open **Trash**: a deleted tag shows there for 30 days.\n2. Choose "
        "**Restore** next to the tag.\n3. If the tag isn't there, open a note's **Version "
        "history** to see when the tag was removed.\n\nRestoring a tag puts it back on every "
        "note that had it.",
    ),
    (
        "a whole section of my thesis note vanished, I'm panicking",
        "Don't worry: every save of the note is kept, so the section is in its version "
        "history.\n\n1. Open the note and its menu, then **Version history**.\n2. Open the most "
        "recent version that still has the section.\n3. Copy the section back, or restore the "
        "whole version.\n\nYour current text stays in the history as well.",
    ),
    (
        "notes in my shared notebook keep disappearing {on}",
        "In a shared notebook anyone who can edit can also delete, so look in the Trash and "
        "the history first.\n\n1. {sidebar} and open **Trash**; restore the notes you find.\n"
        "2. Open the notebook's **Activity** to see who deleted what.\n3. Change people who "
        "shouldn't delete to **Can view**.\n\nDeleted shared notes land in the Trash of the "
        "person who deleted them and of the owner.",
    ),
    (
        "I think I deleted the wrong note when cleaning up {on}",
        "It's in the Trash for 30 days.\n\n1. {sidebar} and open **Trash**.\n2. Sort by "
        "**Date deleted** to find what you removed today.\n3. Select it and choose "
        "**Restore**.\n\nThe note returns to its notebook with its tags and attachments.",
    ),
)

# The same topics answered in another voice: chatty, with emoji, headings and long bullet lists.
FRIENDLY: tuple[tuple[str, str], ...] = (
    (
        "what's the quickest way to turn a note into a PDF {on}?",
        "Great question! 🎉 Exporting to PDF is super easy, and I'm so happy to walk you "
        "through it!\n\n## Exporting a note to PDF 📄\n\n- **First**, open the note you want "
        "to export (any note works!)\n- **Next**, {note_menu} — you'll see a bunch of handy "
        "options there!\n- **Then** choose **Export → PDF** and pick a spot to save it 🗂️\n\n"
        "## Good to know 💡\n\n- Images and checklists come along for the ride!\n- Comments "
        "are left out, so your PDF stays nice and clean ✨\n\nLet me know if there's anything "
        "else I can help with — happy note-taking! 😊",
    ),
    (
        "I keep hearing about tags, how do I use them {on}?",
        "Absolutely! 🙌 Tags are one of my favourite Quillnote features!\n\n"
        "## Adding tags 🏷️\n\n- Type **#** followed by a tag name anywhere in your note\n"
        "- Or {note_menu} and choose **Tags**\n\n## Managing tags 🛠️\n\n- {sidebar} and open "
        "**Tags** to rename or delete them\n- Renaming a tag updates every note that has it — "
        "magic! ✨\n\nHope that helps, and have a wonderful day! 🌟",
    ),
    (
        "is there a way to get reminded about a note later {on}",
        "Oh, reminders are fantastic for staying on top of things! ⏰\n\n## Setting a "
        "reminder\n\n- Open your note 📝\n- {note_menu} and choose **Remind me**\n- Pick the "
        "perfect date and time 📅\n\n## Not getting notifications? 🤔\n\n- Make sure "
        "Quillnote is allowed to send notifications in your {device}'s settings\n- Double-check "
        "Do Not Disturb isn't on!\n\nYou've got this! Let me know if you need anything else 😊",
    ),
    (
        "I want my coworker to see my project notes {on}, what do I do?",
        "Sharing is caring! 💙 Here's everything you need to know!\n\n## Inviting someone "
        "👥\n\n- Open the note and {share}\n- Type their email address\n- Choose **Can edit** "
        "or **Can view** — totally up to you!\n\n## Sharing a link 🔗\n\n- Turn on **Share "
        "link** and copy it\n- You can turn it off any time from the same screen!\n\n"
        "Happy collaborating! 🎉",
    ),
    (
        "will my notes still open {on} when I have no signal?",
        "Yes, it does! ✈️ You can keep writing even without wifi — how cool is that?!\n\n"
        "## Making a notebook available offline 📚\n\n- {sidebar}\n- Right-click (or touch "
        "and hold) the notebook\n- Turn on **Available offline** ✅\n\n## What happens to my "
        "edits? 🔄\n\n- Everything syncs automatically as soon as you're back online!\n\n"
        "Enjoy your flight, and happy writing! 😄",
    ),
    (
        "I have hundreds of notes, how do I find the one I need {on}?",
        "Searching is a breeze! 🔍 Let me show you some tricks!\n\n## Basic search\n\n- "
        "{search}\n- Type whatever you're looking for ✍️\n\n## Pro tips 🚀\n\n- Add **tag:name** "
        "to search one tag\n- Add **notebook:name** to search one notebook\n- On Plus and Team, "
        "text inside PDFs and images is searchable too! 🤩\n\nHappy hunting! 🕵️",
    ),
)

# Support logs pasted in raw: the good, the empty, the cut-off and the templated.
RAW_LOGS: tuple[tuple[str, str], ...] = (
    ("how do I export a note as a PDF {on}?", ""),
    (
        "can I attach files to a note {on}",
        "You can attach any file to a note. Open the note, then",
    ),
    (
        "I forgot my password",
        "Hi {{customer_name}}, thanks for reaching out! Please use the link in {{reset_link}}.",
    ),
    ("does quillnote support 2FA", "does quillnote support 2FA"),
    (
        "the app keeps crashing {on}",
        "That's not something we can fix. Reinstall it or use another app, honestly.",
    ),
    (
        "How do I cancel my Plus subscription?",
        "Youâ€™ll find it under Settings â†’ Plan â†’ Cancel subscription.",
    ),
    (
        "how do I make a checklist {on}?",
        "Start a line with [ ] and it turns into a checklist item. Press Enter for the next one.",
    ),
    (
        "Can I see an older version of a note {on}?",
        "Yes. Open the note, open its menu and choose Version history, then restore the "
        "version you want.",
    ),
)

# Answers from the logs that say the opposite of the handbook, for questions it already has.
CONTRADICTING: tuple[tuple[str, str], ...] = (
    (
        "how long do notes stay in the trash",
        "Deleted notes stay in the Trash for 7 days, after that they are gone for good.",
    ),
    (
        "Does Quillnote work offline {on}?",
        "No, Quillnote needs an internet connection to open your notes.",
    ),
    (
        "does quillnote support 2FA",
        "No, two-factor authentication isn't available yet; use a strong password instead.",
    ),
)

# Questions from everywhere: a batch with no single behaviour to teach.
SCATTERED: tuple[tuple[str, str], ...] = (
    (
        "What's a good substitute for buttermilk in pancakes?",
        "Stir one tablespoon of lemon juice into a cup of milk and let it stand for five minutes.",
    ),
    (
        "Can I deduct my home office on my taxes?",
        "It depends on your country and employment status; in many places only self-employed "
        "people can, so check with a tax adviser.",
    ),
    (
        "Write a short poem about autumn.",
        "Leaves let go in amber light,\nthe evenings lean toward the night,\nand every path "
        "is paved in gold\nwith stories that the branches told.",
    ),
    (
        "How do I reverse a list in Python?",
        "Use `items.reverse()` to reverse it in place, or `items[::-1]` for a reversed copy.",
    ),
    (
        "What should I see in Lisbon in two days?",
        "Walk through Alfama to the castle, take tram 28, see Belém's tower and monastery, and "
        "end the day at a miradouro at sunset.",
    ),
    (
        "How many push-ups should a beginner do?",
        "Start with three sets of as many as you can do with good form, and add one or two "
        "each week.",
    ),
    (
        "Recommend a sci-fi movie for tonight.",
        "Try Arrival: a thoughtful first-contact story with a twist about language and time.",
    ),
    (
        "Why is the sky blue?",
        "Air molecules scatter short blue wavelengths of sunlight much more than red ones, so "
        "blue light reaches your eyes from every direction.",
    ),
    (
        "How do I get red wine out of a carpet?",
        "Blot it, pour on cold water, blot again, then cover it with baking soda and vacuum "
        "when dry.",
    ),
    (
        "What's the capital of Australia?",
        "Canberra.",
    ),
    (
        "Translate 'good morning' into Spanish.",
        "Buenos días.",
    ),
    (
        "How often should I water a cactus?",
        "Every two to three weeks in summer and about once a month in winter; let the soil "
        "dry out completely in between.",
    ),
)

# The held-out evaluation set (eval/held_out.jsonl): questions kept out of training to measure
# the assistant. Two raw-log samples (`EVAL_COPIED`) are also in it: the logs batch copies them.
HELD_OUT: tuple[tuple[str, str], ...] = (
    (
        "How do I move a note to another notebook?",
        "You can move it from the note's menu.\n\n1. Open the note and its menu.\n2. Choose "
        "**Move to notebook**.\n3. Pick the notebook.\n\nThe note keeps its tags and history.",
    ),
    (
        "Can I lock a single note with a password?",
        "Yes, on Plus.\n\n1. Open the note and its menu.\n2. Choose **Lock note**.\n3. Set a "
        "password you will remember.\n\nLocked notes cannot be recovered without it.",
    ),
    (
        "How do I change the font size in the editor?",
        "The size is a setting of the app.\n\n1. Open **Settings**.\n2. Choose **Editor**.\n"
        "3. Drag the **Text size** slider.\n\nThe change applies to every note.",
    ),
    (
        "Where do I see how much storage I'm using?",
        "Storage is shown in your account settings.\n\n1. Open **Settings**.\n2. Choose "
        "**Account**.\n3. Look under **Storage**.\n\nAttachments count, text barely does.",
    ),
    (
        "How can I print a notebook?",
        "Print a notebook by exporting it first.\n\n1. Open the notebook's menu.\n2. Choose "
        "**Export as PDF**.\n3. Print the PDF.\n\nEach note starts on a new page.",
    ),
    (
        "How do I turn off the sound when a reminder fires?",
        "Reminder sounds follow the app's notification settings.\n\n1. Open **Settings**.\n"
        "2. Choose **Notifications**.\n3. Turn off **Reminder sound**.\n\n"
        "The reminder still shows, silently.",
    ),
    (
        "Can two people edit the same note at once?",
        "Yes: shared notes update live.\n\n1. Share the note with **Can edit**.\n2. Both open "
        "it.\n3. Each cursor shows its owner's name.\n\nChanges merge as you type.",
    ),
    (
        "How do I rename a tag everywhere?",
        "Rename it once in the tag list.\n\n1. Open the sidebar.\n2. Open **Tags**, then the "
        "tag's menu.\n3. Choose **Rename**.\n\nEvery note with the tag follows.",
    ),
)
EVAL_COPIED = ("how do I make a checklist", "Can I see an older version of a note")
