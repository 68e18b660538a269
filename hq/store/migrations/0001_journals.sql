-- Terminals, the journals they upload, and every entry exactly once.

CREATE TABLE terminals (
    tid             text PRIMARY KEY,
    store           text NOT NULL,
    token_hash      bytea NOT NULL UNIQUE,  -- sha256 of the terminal's token
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    last_seen       timestamptz,
    status_at       timestamptz,            -- sent_at of the batch the status below came from
    version         text NOT NULL DEFAULT '',
    backlog         bigint NOT NULL DEFAULT 0,
    printer         text NOT NULL DEFAULT '',
    providers       jsonb NOT NULL DEFAULT '{}',
    profile_version bigint NOT NULL DEFAULT 0  -- the profile the terminal runs
);

-- A journal belongs to the tid that first uploaded it.
CREATE TABLE journals (
    journal_id text PRIMARY KEY,
    tid        text NOT NULL REFERENCES terminals (tid),
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    acked      bigint NOT NULL DEFAULT 0  -- every entry 1..acked is held
);
CREATE INDEX journals_tid ON journals (tid);

CREATE TABLE entries (
    journal_id  text NOT NULL REFERENCES journals (journal_id),
    seq         bigint NOT NULL,
    kind        text NOT NULL,
    at          bigint NOT NULL,  -- unix nanoseconds, the journal's clock
    body        jsonb NOT NULL,
    body_hash   bytea NOT NULL,   -- of kind, at and the body as sent
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (journal_id, seq)
);

-- The same key arriving with other content: kept aside, never overwriting.
CREATE TABLE conflicts (
    id          bigserial PRIMARY KEY,
    journal_id  text NOT NULL REFERENCES journals (journal_id),
    seq         bigint NOT NULL,
    stored_hash bytea NOT NULL,
    kind        text NOT NULL,
    at          bigint NOT NULL,
    body        jsonb NOT NULL,
    body_hash   bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (journal_id, seq, body_hash)
);
