-- Head-office users, their sessions, read-only API tokens, profiles made
-- centrally or uploaded by terminals, and what admins did.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'viewer')),
    store         text NOT NULL DEFAULT '',  -- '' : every store
    password_hash text NOT NULL,
    failed        int NOT NULL DEFAULT 0,    -- wrong passwords since the last lock or login
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,  -- sha256 of the cookie's value
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    token_hash bytea PRIMARY KEY,
    store      text NOT NULL DEFAULT '',  -- '' : every store
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used  timestamptz
);

CREATE TABLE profiles (
    tid        text NOT NULL REFERENCES terminals (tid),
    version    bigint NOT NULL,  -- unix nanoseconds; the later version wins
    settings   jsonb NOT NULL,
    by         text NOT NULL,
    source     text NOT NULL CHECK (source IN ('hq', 'terminal')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tid, version)
);

CREATE TABLE audit (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL,
    action text NOT NULL,
    detail text NOT NULL
);
