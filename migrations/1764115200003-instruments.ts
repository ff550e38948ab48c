import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Imported rule-set versions (instruments and intervention catalogues). A version is immutable
 * once imported: assessments pin `instrument_version.id`, so the content they were made with
 * can never change under them. Only the lifecycle moves, and only towards `retired`.
 */
export class Instruments1764115200003 implements MigrationInterface {
  name = 'Instruments1764115200003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE instrument_version (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        key text NOT NULL,
        version text NOT NULL,
        title text NOT NULL,
        purpose text,
        status text NOT NULL,
        content jsonb NOT NULL,
        content_sha256 text NOT NULL,
        source_file text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        imported_by uuid,
        retired_at timestamptz,
        retired_by uuid,
        CONSTRAINT instrument_version_pkey PRIMARY KEY (id),
        CONSTRAINT instrument_version_key_version_key UNIQUE (key, version),
        CONSTRAINT instrument_version_imported_by_fkey
          FOREIGN KEY (imported_by) REFERENCES app_user (id),
        CONSTRAINT instrument_version_retired_by_fkey
          FOREIGN KEY (retired_by) REFERENCES app_user (id),
        CONSTRAINT instrument_version_kind_check
          CHECK (kind IN ('instrument', 'intervention-catalogue')),
        CONSTRAINT instrument_version_status_check
          CHECK (status IN ('active', 'retired', 'draft')),
        CONSTRAINT instrument_version_purpose_check CHECK (
          (kind = 'instrument' AND purpose IN ('risk', 'needs'))
          OR (kind = 'intervention-catalogue' AND purpose IS NULL)),
        CONSTRAINT instrument_version_key_check
          CHECK (key ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' AND length(key) <= 64),
        CONSTRAINT instrument_version_version_check CHECK (
          version ~ '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$'
          AND length(version) <= 64),
        CONSTRAINT instrument_version_content_sha256_check
          CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
        CONSTRAINT instrument_version_content_check CHECK (
          jsonb_typeof(content) = 'object'
          AND content ->> 'kind' = kind
          AND content ->> 'key' = key
          AND content ->> 'version' = version),
        CONSTRAINT instrument_version_retired_check
          CHECK ((status = 'retired') = (retired_at IS NOT NULL))
      );
      CREATE INDEX instrument_version_active_idx ON instrument_version (key) WHERE status = 'active';

      CREATE FUNCTION instrument_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          RAISE EXCEPTION 'instrument versions are never deleted: TRUNCATE refused'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'instrument versions are never deleted: % % refused', OLD.key, OLD.version
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.key <> OLD.key
          OR NEW.version <> OLD.version OR NEW.title <> OLD.title
          OR NEW.purpose IS DISTINCT FROM OLD.purpose OR NEW.content <> OLD.content
          OR NEW.content_sha256 <> OLD.content_sha256 OR NEW.source_file <> OLD.source_file
          OR NEW.imported_at <> OLD.imported_at
          OR NEW.imported_by IS DISTINCT FROM OLD.imported_by THEN
          RAISE EXCEPTION 'instrument version % % is immutable: only its status may change',
            OLD.key, OLD.version USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.status = 'retired' OR (NEW.status <> OLD.status AND NEW.status <> 'retired') THEN
          RAISE EXCEPTION 'instrument version % %: status % cannot become %',
            OLD.key, OLD.version, OLD.status, NEW.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;

      CREATE TRIGGER instrument_version_immutable BEFORE UPDATE OR DELETE ON instrument_version
        FOR EACH ROW EXECUTE FUNCTION instrument_version_guard();
      CREATE TRIGGER instrument_version_no_truncate BEFORE TRUNCATE ON instrument_version
        FOR EACH STATEMENT EXECUTE FUNCTION instrument_version_guard();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE instrument_version;
      DROP FUNCTION instrument_version_guard();
    `);
  }
}
