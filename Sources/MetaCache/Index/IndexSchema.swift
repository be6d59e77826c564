import GRDB

/// The user index schema, versioned through GRDB migrations so that an index written by an older
/// build is upgraded in place. Never edit a registered migration: add a new one.
enum IndexSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // One row per mailbox. `name` is UTF-8 with "/" as the hierarchy separator; INBOX is "INBOX".
            try db.execute(
                sql: """
                    CREATE TABLE mailbox (
                        id INTEGER PRIMARY KEY,
                        guid TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL UNIQUE,
                        uidValidity INTEGER NOT NULL,
                        uidNext INTEGER NOT NULL,
                        highestModSeq INTEGER NOT NULL,
                        firstRecentUID INTEGER NOT NULL,
                        specialUse TEXT,
                        createdAt INTEGER NOT NULL
                    );
                    -- Subscriptions are names, not mailboxes: a client may subscribe to a name that does not exist.
                    CREATE TABLE subscription (name TEXT PRIMARY KEY) WITHOUT ROWID;
                    -- Keywords per mailbox; messages refer to them by bit position.
                    CREATE TABLE keyword (
                        mailboxID INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        PRIMARY KEY (mailboxID, position),
                        UNIQUE (mailboxID, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE message (
                        mailboxID INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                        uid INTEGER NOT NULL,
                        guid TEXT NOT NULL,
                        objectKey TEXT NOT NULL,
                        flags INTEGER NOT NULL,
                        keywords INTEGER NOT NULL,
                        modSeq INTEGER NOT NULL,
                        size INTEGER NOT NULL,
                        virtualSize INTEGER NOT NULL,
                        internalDate INTEGER NOT NULL,
                        saveDate INTEGER NOT NULL,
                        cachedFields BLOB NOT NULL,
                        PRIMARY KEY (mailboxID, uid)
                    ) WITHOUT ROWID;
                    CREATE INDEX message_by_modseq ON message(mailboxID, modSeq);
                    CREATE INDEX message_by_object ON message(objectKey);
                    -- How many messages refer to each object: COPY and MOVE add references instead of
                    -- copying objects, and the object is deleted when the last reference goes.
                    CREATE TABLE object (
                        key TEXT PRIMARY KEY,
                        refCount INTEGER NOT NULL,
                        size INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    -- Expunged UIDs with the MODSEQ of their expunge, for QRESYNC's VANISHED.
                    CREATE TABLE expunged (
                        mailboxID INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                        uid INTEGER NOT NULL,
                        modSeq INTEGER NOT NULL,
                        PRIMARY KEY (mailboxID, uid)
                    ) WITHOUT ROWID;
                    -- Objects whose last reference is gone and that still have to be deleted from the store.
                    CREATE TABLE pendingDelete (key TEXT PRIMARY KEY) WITHOUT ROWID;
                    -- Small per-user state: clean-shutdown marker, bundle positions.
                    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-quota") { db in
            // Quota usage sums sizes per mailbox; without this it would read every row, cached fields and all.
            try db.execute(sql: "CREATE INDEX message_sizes ON message(mailboxID, size)")
        }
        migrator.registerMigration("v3-sortkeys") { db in
            // SORT and THREAD keys computed at delivery (opaque to the index, like cachedFields), so a
            // first SORT reads a few hundred bytes a row instead of decoding every row's cached fields.
            // NULL for rows from older builds and from bundles: computed on first use and stored then.
            try db.execute(sql: "ALTER TABLE message ADD COLUMN sortKeys BLOB")
        }
        migrator.registerMigration("v4-message-listing") { db in
            // SELECT, STORE, SEARCH on flags/sizes/dates and POP3 read every column but the cached fields of many
            // rows. In the table each row carries its cached fields (a WITHOUT ROWID row of more than ~1 KB spills
            // into overflow pages), so a scan touches several pages a row; this covering index packs dozens a page.
            try db.execute(
                sql: """
                    CREATE INDEX message_listing ON message(mailboxID, uid, flags, keywords, modSeq, size, virtualSize,
                                                            internalDate, saveDate, guid, objectKey)
                    """)
        }
        migrator.registerMigration("v5-expunged-by-modseq") { db in
            // Every write of a selected session reads the UIDs expunged after the MODSEQ it saw; by the primary key
            // that walked every expunge the mailbox ever had (grown by each one), through this only the new ones.
            try db.execute(sql: "CREATE INDEX expunged_by_modseq ON expunged(mailboxID, modSeq)")
        }
        return migrator
    }
}
