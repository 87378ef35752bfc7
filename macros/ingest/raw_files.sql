{#- Reading the extract files named in ../shared/extract-contract.md from var('raw_dir').

    The contract lets a force hand over files with extra columns, any column order, any case,
    and (for GIAS and the ONS files) one of several column names. These macros find the columns
    that are really there, so a staging model selects them by their canonical names and a
    missing required column fails the build with a message naming the file and the column.

    CSV files are read in two passes, both at compile time and both without any row content
    reaching a message (an error from DuckDB's CSV reader quotes the whole offending line, which
    for offence_persons.csv is a person's record):

    1. the header line alone, as text, gives the column names;
    2. a scan of the whole file with a fixed dialect (comma, double quotes) and those columns,
       keeping DuckDB's errors in a temporary rejects table, gives every malformed row's
       position and the kind of fault (too many or too few fields, a broken quote, a line too
       long, bytes that are not text in the file's encoding), but never its content.

    The model then reads the well-formed rows (ignore_errors) and numbers them around the
    malformed ones, which reach the rejects model with their reason. A file that is not valid
    UTF-8 is read as Windows-1252, the encoding of the DfE's GIAS download (DuckDB's encodings
    extension, installed at set-up), unless it is UTF-8 with a few bad bytes (inspect_raw_csv):
    then only the rows holding them are rejected. -#}

{#- var('raw_dir'), else SCHOOL_EXPOSURE_RAW_DIR, else data/raw. The sources' YAML repeats this
    expression because dbt renders it before project macros exist. -#}
{% macro raw_dir() -%}
    {{ return(var('raw_dir') or env_var('SCHOOL_EXPOSURE_RAW_DIR', 'data/raw')) }}
{%- endmacro %}


{#- The path of a file (or glob) in the raw directory, with forward slashes. -#}
{% macro raw_path(file_name) -%}
    {{ raw_dir() | replace('\\', '/') }}/{{ file_name }}
{%- endmacro %}


{#- A text as an SQL string literal: a path or name holding a quote cannot break the SQL. -#}
{% macro sql_string(text) -%}
    '{{ text | string | replace("'", "''") }}'
{%- endmacro %}


{#- True while a unit test compiles a model: raw files are then never looked at, so a unit test
    passes whatever the user's raw directory holds (the fixture rows stand in for the file). -#}
{% macro in_unit_test() -%}
    {{ return(execute and model is mapping and model.get('resource_type') == 'unit_test') }}
{%- endmacro %}


{#- The path of the first file matching `pattern` (a glob) in raw_dir, or none. A glob (a
    boundary file's name.*, in whichever format) that matches files of two readable formats
    (.geojson, .gpkg, .parquet) is a build error naming them: one would be read and the other
    ignored in silence (an old GeoJSON left beside a new GeoPackage). -#}
{% macro find_raw_file(pattern) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if in_unit_test() -%}{{ return('unit-test-fixture/' ~ pattern) }}{%- endif -%}
    {%- if '*' in pattern -%}
        {%- set readable = run_query(
            "select file from glob(" ~ sql_string(raw_path(pattern)) ~ ")"
            ~ " where regexp_matches(file, '[.](geojson|gpkg|parquet)$') order by file"
        ).columns[0].values() -%}
        {%- if readable | length > 1 -%}
            {%- set names = [] -%}
            {%- for file in readable -%}
                {%- do names.append((file | replace('\\', '/')).split('/')[-1]) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "raw_dir '" ~ raw_dir() ~ "' has " ~ readable | length ~ " files for "
                ~ pattern ~ " (" ~ names | join(', ') ~ "), and only one is read. Keep the"
                ~ " one to use and move the others out of the folder.") }}
        {%- endif -%}
    {%- endif -%}
    {%- set result = run_query(
        "select file from glob(" ~ sql_string(raw_path(pattern)) ~ ") order by file limit 1"
    ) -%}
    {{ return(result.columns[0].values()[0] if result.rows | length > 0 else none) }}
{%- endmacro %}


{#- The path of a required raw file, or a build error naming it (and the files of raw_dir
    that look like it: another case, or compressed). -#}
{% macro required_raw_file(pattern) -%}
    {%- set path = find_raw_file(pattern) -%}
    {%- if execute and path is none and '*' not in pattern -%}
        {#- glob() lists files only: a folder of the file's name is said to be one. -#}
        {%- do check_raw_file(raw_path(pattern), pattern) -%}
    {%- endif -%}
    {%- if execute and path is none -%}
        {%- set near = raw_files_like(pattern) -%}
        {{ exceptions.raise_compiler_error(
            (misnamed_raw_file_message(pattern, near, true) ~ "." if near
                else "Required extract file " ~ pattern ~ " not found in raw_dir '"
                ~ raw_dir() ~ "'.")
            ~ " Put it there (../shared/extract-contract.md names every file), or point"
            ~ " SCHOOL_EXPOSURE_RAW_DIR (or --vars 'raw_dir: ...') at the folder that holds it."
        ) }}
    {%- endif -%}
    {{ return(path) }}
{%- endmacro %}


{#- The names of the files in raw_dir that match `pattern` (a glob: * for any text) but for
    letter case or a compression suffix (.gz, .zip, .bz2, .xz, .7z), as a list: the likely
    misnamed export of a required file that is not found. -#}
{% macro raw_files_like(pattern) -%}
    {%- set result = run_query(
        "select file from glob(" ~ sql_string(raw_path('*')) ~ ") order by file"
    ) -%}
    {%- set wanted = modules.re.escape(pattern) | replace('\\*', '.*') -%}
    {%- set like = modules.re.compile(
        '^' ~ wanted ~ '([.](gz|zip|bz2|xz|7z))?$', modules.re.IGNORECASE) -%}
    {%- set names = [] -%}
    {%- for file in result.columns[0].values() -%}
        {%- set name = file | replace('\\', '/') -%}
        {%- set name = name.split('/')[-1] -%}
        {%- if like.match(name) -%}{%- do names.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- What to say of a contract file found only as `near` (raw_files_like): another letter case,
    or compressed. One text for check_raw_file_names, before the build, and required_raw_file. -#}
{% macro misnamed_raw_file_message(pattern, near, required) -%}
    {{ return(("Required extract file " if required else "Extract file ") ~ pattern
        ~ " not found in raw_dir '" ~ raw_dir() ~ "'. The folder has " ~ near | join(', ')
        ~ ": the file must be named exactly " ~ pattern ~ " (lower case) and not compressed."
        ~ " Rename or decompress it") }}
{%- endmacro %}


{#- Stops a build or run before any model when a file of the extract contract is in raw_dir
    only under another letter case or compressed (Offences.CSV, lsoa_lookup.csv.gz). Its model
    would otherwise find it missing after minutes of other models or, for an optional file
    (Pupil_Residence.csv), build without it in silence. Called from on-run-start. -#}
{% macro check_raw_file_names() -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {#- The contract's files (../shared/extract-contract.md), true where required. -#}
        {%- set contract_files = {
            'offences.csv': true, 'offence_persons.csv': true, 'schools.csv': true,
            'lsoa_boundaries.*': true, 'lsoa_lookup.csv': true, 'lsoa_population.csv': true,
            'pupil_residence.csv': false, 'deprivation.csv': false, 'vru_schools.csv': false,
            'school_holidays.csv': false, 'lsoa_ethnicity.csv': false,
            'oa_boundaries.*': false, 'oa_population.csv': false,
        } -%}
        {%- for pattern, required in contract_files.items() -%}
            {%- set present = run_query(
                "select count(*) from glob(" ~ sql_string(raw_path(pattern)) ~ ")"
            ).columns[0].values()[0] -%}
            {%- set near = raw_files_like(pattern) if present == 0 else [] -%}
            {%- if near -%}
                {{ exceptions.raise_compiler_error(
                    misnamed_raw_file_message(pattern, near, required)
                    ~ ("" if required else ", or move it out of the folder to build without it")
                    ~ ". Nothing was built.") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- Stops the build with a message naming the file when it is not what its name says: a
    folder, an Excel workbook or zip archive, UTF-16 or gzip data under a .csv name, or a
    boundary file GDAL cannot open (the plugin's raw_file_problem, which reads only the first
    bytes and never returns any). Without it DuckDB's readers fail later with an internal
    error, or take binary bytes for the header. -#}
{% macro check_raw_file(path, label) -%}
    {%- set result = run_query("select raw_file_problem(" ~ sql_string(path) ~ ")") -%}
    {%- set problem = result.columns[0].values()[0] -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(
            label ~ " " ~ problem ~ ". Then rerun (../shared/extract-contract.md gives the"
            ~ " format of every file).") }}
    {%- endif -%}
{%- endmacro %}


{#- True for a .csv or .csv.gz path. -#}
{% macro is_csv(path) -%}
    {{ return(path is not none and (path.endswith('.csv') or path.endswith('.csv.gz'))) }}
{%- endmacro %}


{#- The fixed CSV dialect every raw CSV file is read with: the contract's comma-separated,
    double-quoted form. Fixed, not sniffed: DuckDB's sniffer guesses another dialect when a
    sample holds a broken quote, and then reads every row wrongly. -#}
{% macro csv_dialect() -%}
    auto_detect = false, header = true, delim = ',', quote = '"', escape = '"'
{%- endmacro %}


{#- The first non-blank line of a CSV file, as text: none for a file without one, or, in
    'utf-8', when the line is not UTF-8 (the plugin's csv_first_line, which reads the file's
    first lines only; DuckDB's reader would decode a whole Windows-1252 file first). -#}
{% macro raw_csv_first_line(path, encoding) -%}
    {%- set result = run_query(
        "select csv_first_line(" ~ sql_string(path) ~ ", " ~ sql_string(encoding) ~ ")") -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}


{#- The header line of a CSV file: {'line': its text (none for an empty file), 'utf8': whether
    it is UTF-8}. A header with a byte that is not UTF-8 (a Windows-1252 accent in an extra
    column's name) is read as Windows-1252, whatever encoding the rows turn out to be in
    (inspect_raw_csv): DuckDB's reader skips a line that is not text in its encoding, and
    would take the first data row for the header. -#}
{% macro raw_csv_header_line(path) -%}
    {%- set utf8_line = raw_csv_first_line(path, 'utf-8') -%}
    {%- if utf8_line is none -%}
        {%- set cp1252_line = raw_csv_first_line(path, 'CP1252') -%}
        {%- if cp1252_line is not none -%}
            {{ return({'line': cp1252_line, 'utf8': false}) }}
        {%- endif -%}
    {%- endif -%}
    {{ return({'line': utf8_line, 'utf8': true}) }}
{%- endmacro %}


{#- The column names of a CSV header line: split on commas, surrounding quotes and spaces
    removed, a byte-order mark dropped; an empty name becomes column_<n>, and a name repeated
    (in any case) gets a suffix, so each name can be one column of the reader. -#}
{% macro csv_header_names(line) -%}
    {%- set names = [] -%}
    {%- set seen = [] -%}
    {%- set text = line | replace('\ufeff', '') | replace('ï»¿', '') | replace('\r', '') -%}
    {%- for cell in text.split(',') -%}
        {%- set name = cell | trim | replace('"', '') | trim -%}
        {%- set name = name if name else 'column_' ~ loop.index -%}
        {%- set unique = namespace(name=name, n=1) -%}
        {%- for _ in range(1000) if unique.name | lower in seen -%}
            {%- set unique.n = unique.n + 1 -%}
            {%- set unique.name = name ~ '_' ~ unique.n -%}
        {%- endfor -%}
        {%- do seen.append(unique.name | lower) -%}
        {%- do names.append(unique.name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- Stops the build when a column the project reads is named twice in a CSV header (two
    exports joined side by side, a column added again by hand): csv_header_names would call
    the second easting_2 and the first would be read, though which one holds the value cannot
    be told. `line` is the header line, `names` its csv_header_names; the message gives the
    canonical name and the positions, never the header (a person's record, in a file that
    lacks one). -#}
{% macro check_columns_named_once(label, line, names, columns) -%}
    {%- set text = line | replace('\ufeff', '') | replace('ï»¿', '') | replace('\r', '') -%}
    {%- set written = [] -%}
    {%- for cell in text.split(',') -%}
        {%- set name = cell | replace('"', '') | trim | lower -%}
        {%- do written.append(modules.re.sub('[ .-]+', '_', name)) -%}
    {%- endfor -%}
    {%- set available = names | map('lower') | list -%}
    {%- for canonical, spec in columns.items() -%}
        {%- set found = match_raw_column(available, spec.get('names', [canonical])) -%}
        {%- if found is not none -%}
            {%- set positions = [] -%}
            {%- for name in written -%}
                {%- if name == modules.re.sub('[ .-]+', '_', found | trim) -%}
                    {%- do positions.append(loop.index) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if positions | length > 1 -%}
                {{ exceptions.raise_compiler_error(
                    label ~ ": the header names column '" ~ canonical ~ "' "
                    ~ positions | length ~ " times (columns " ~ positions | join(', ')
                    ~ "), and which one holds it cannot be told. Keep one and rename or remove"
                    ~ " the others, then rerun (../shared/extract-contract.md).") }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{#- The reader of a CSV file with the given number of columns and encoding, named c1, c2, ...
    by position: the header's names never appear in SQL (nor in dbt's logs of it), since the
    "header" of a file that lacks one is a person's record. Rows DuckDB cannot parse are left
    out (their positions are known from scan_csv). It always keeps DuckDB's
    errors in the temporary tables raw_csv_errors and raw_csv_scans: without store_rejects,
    DuckDB 1.5.5 stops reading at a broken quote instead of skipping the row, so the scan and
    the read would see different rows. The temporary tables live in memory, are never part of
    the database file, and are dropped after each staging model (macro drop_csv_rejects). -#}
{% macro csv_reader(path, column_count, encoding) -%}
    read_csv(
        {{ sql_string(path) }},
        {{ csv_dialect() }},
        columns = {
        {%- for n in range(1, column_count + 1) %}
            'c{{ n }}': 'VARCHAR'{{ "," if not loop.last }}
        {%- endfor %}
        },
        encoding = {{ sql_string(encoding) }},
        ignore_errors = true,
        store_rejects = true,
        rejects_table = 'raw_csv_errors',
        rejects_scan = 'raw_csv_scans'
    )
{%- endmacro %}


{#- Drops the temporary tables of DuckDB's CSV errors, which hold the lines of malformed rows
    (a post-hook of every staging model, so none outlives the model that read the file). -#}
{% macro drop_csv_rejects() -%}
    drop table if exists temp.raw_csv_errors; drop table if exists temp.raw_csv_scans
{%- endmacro %}


{#- DuckDB's CSV error types, as reject reasons (docs block reject_reasons). -#}
{% macro csv_error_reason(error_type) -%}
    {%- set reasons = {
        'TOO MANY COLUMNS': 'too_many_fields',
        'MISSING COLUMNS': 'too_few_fields',
        'UNQUOTED VALUE': 'malformed_quotes',
        'LINE SIZE OVER MAXIMUM': 'line_too_long',
        'INVALID ENCODING': 'invalid_encoding',
    } -%}
    {{ return(reasons.get(error_type, 'malformed_row')) }}
{%- endmacro %}


{#- One scan of a CSV file: its well-formed rows, the line feeds inside their values, the rows
    with a line feed or carriage return in a value, and the position and kind of every
    malformed row (DuckDB's rejects table holds the line too, which is never selected), in the
    given encoding. Line feeds are counted per column and only in values that hold one: joining
    each row's values into one text first took twice as long as reading the file. -#}
{% macro scan_csv(path, column_count, encoding) -%}
    {%- set line_feeds = [] -%}
    {%- set line_breaks = [] -%}
    {%- for n in range(1, column_count + 1) -%}
        {%- do line_feeds.append(count_line_feeds('c' ~ n)) -%}
        {%- do line_breaks.append(has_line_break('c' ~ n)) -%}
    {%- endfor -%}
    {%- set result = run_query(
        drop_csv_rejects() ~ "; select count(*) as rows_read,"
        ~ " coalesce(sum(" ~ line_feeds | join(' + ') ~ "), 0) as line_breaks,"
        ~ " count(*) filter (where " ~ line_breaks | join(' or ') ~ ") as rows_with_line_breaks"
        ~ " from " ~ csv_reader(path, column_count, encoding)
    ) -%}
    {%- set errors = run_query(
        "select line - 1 as source_row_number, min(error_type) as error_type"
        ~ " from temp.raw_csv_errors group by line order by line"
    ) -%}
    {%- do run_query(drop_csv_rejects()) -%}
    {%- set malformed = [] -%}
    {%- for row in errors.rows -%}
        {%- do malformed.append({
            'source_row_number': row[0] | int, 'reason': csv_error_reason(row[1])}) -%}
    {%- endfor -%}
    {{ return({
        'rows_read': result.rows[0][0] | int,
        'line_breaks': result.rows[0][1] | int,
        'rows_with_line_breaks': result.rows[0][2] | int,
        'malformed': malformed,
    }) }}
{%- endmacro %}


{#- The well-formed rows of a CSV file, in the given encoding, with a character that is not
    ASCII in any value (more bytes than characters): read only when some rows are not UTF-8,
    to tell a UTF-8 file with a few bad bytes from a Windows-1252 one (inspect_raw_csv). -#}
{% macro count_non_ascii_rows(path, column_count, encoding) -%}
    {%- set non_ascii = [] -%}
    {%- for n in range(1, column_count + 1) -%}
        {%- do non_ascii.append('strlen(c' ~ n ~ ') != length(c' ~ n ~ ')') -%}
    {%- endfor -%}
    {%- set result = run_query(
        drop_csv_rejects() ~ "; select count(*) from "
        ~ csv_reader(path, column_count, encoding) ~ " where " ~ non_ascii | join(' or ')
    ) -%}
    {%- do run_query(drop_csv_rejects()) -%}
    {{ return(result.rows[0][0] | int) }}
{%- endmacro %}


{#- The line feeds in a text, 0 for null; only a text that holds one is copied to count them. -#}
{% macro count_line_feeds(value) -%}
    case
        when contains({{ value }}, chr(10))
            then length({{ value }}) - length(replace({{ value }}, chr(10), ''))
        else 0
    end
{%- endmacro %}


{#- Non-blank physical lines of a file, header included. A line that starts with anything but
    a space or a carriage return is not blank, and only the others are trimmed: trimming every
    line took as long as reading the file (the same count: test_speed_equivalence.py). -#}
{% macro count_csv_lines(path, encoding) -%}
    {%- set result = run_query(
        "select count(*) from read_csv(" ~ sql_string(path) ~ ", auto_detect = false,"
        ~ " header = false, columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '',"
        ~ " escape = '', strict_mode = false, ignore_errors = true, max_line_size = 100000000,"
        ~ " encoding = " ~ sql_string(encoding) ~ ") where " ~ is_non_blank_line('line')
    ) -%}
    {{ return(result.rows[0][0] | int) }}
{%- endmacro %}


{#- True when a physical line holds more than spaces and carriage returns (count_csv_lines). -#}
{% macro is_non_blank_line(line) -%}
    ((left({{ line }}, 1) not in (' ', chr(13)) and {{ line }} != '')
        or trim({{ line }}, chr(13) || ' ') != '')
{%- endmacro %}


{#- Everything known about a raw CSV file before its rows are read, as a dict (given the
    canonical `columns` of raw_rows, the required ones are checked first):
    path, label, encoding ('utf-8' or 'CP1252'), names (the header), columns (lower case),
    rows (well-formed plus malformed), malformed ([{source_row_number, reason}]),
    rows_with_line_breaks (well-formed rows with a line break in a value), and
    lines_unaccounted (physical lines that belong to no row: lines a broken quote joined into
    a malformed row). An empty file, or one without a header, is a build error naming it. -#}
{% macro inspect_raw_csv(path, label, columns=none, show_columns=true) -%}
    {%- do check_raw_file(path, label) -%}
    {%- set encoding = 'utf-8' -%}
    {%- set header = raw_csv_header_line(path) -%}
    {%- set first_line = header.line -%}
    {%- if first_line is none -%}
        {{ exceptions.raise_compiler_error(
            label ~ " is empty: it has no header row and no data. Export it again with the"
            ~ " header row that ../shared/extract-contract.md gives.") }}
    {%- endif -%}
    {%- set names = csv_header_names(first_line) -%}
    {%- if columns is not none -%}
        {#- Required columns first, before anything reads the rows. -#}
        {%- do raw_select_list(label, names | map('lower') | list, columns, show_columns) -%}
        {%- do check_columns_named_once(label, first_line, names, columns) -%}
    {%- endif -%}
    {%- set scan = scan_csv(path, names | length, encoding) -%}
    {%- set not_utf8 = scan.malformed | selectattr('reason', 'equalto', 'invalid_encoding')
        | list | length -%}
    {%- if not_utf8 and count_non_ascii_rows(path, names | length, encoding) < not_utf8 -%}
        {#- Not UTF-8: Windows-1252, which the DfE's own downloads use. A file whose rows
            with valid UTF-8 accents (or curly quotes) are at least as many as those with
            bytes that are not UTF-8 is UTF-8 with a few bad bytes: read as Windows-1252,
            every accent in it would be garbled (CafÃ©), so it stays UTF-8 and only
            the bad rows are rejected, as invalid_encoding. Windows-1252 text is seldom
            valid UTF-8 by chance (an accented capital followed by a symbol), and a file of
            plain ASCII but for a bad byte reads the same either way. -#}
        {%- set encoding = 'CP1252' -%}
        {%- set names = csv_header_names(raw_csv_first_line(path, encoding)) -%}
        {%- set scan = scan_csv(path, names | length, encoding) -%}
    {%- endif -%}
    {#- The line count skips a line that is not text in the encoding, but the scan counts its
        row (malformed, invalid_encoding): added back, so that a line a broken quote joined
        to a row is still found in a UTF-8 file with a bad byte. So is a header that is not
        UTF-8 in a file read as UTF-8 (the reader skips the header unread). -#}
    {%- set lines = count_csv_lines(path, encoding)
        + scan.malformed | selectattr('reason', 'equalto', 'invalid_encoding') | list | length
        + (1 if encoding == 'utf-8' and not header.utf8 else 0)
    -%}
    {%- set rows = scan.rows_read + scan.malformed | length -%}
    {{ return({
        'path': path,
        'label': label,
        'encoding': encoding,
        'names': names,
        'columns': names | map('lower') | list,
        'rows': rows,
        'malformed': scan.malformed,
        'rows_with_line_breaks': scan.rows_with_line_breaks,
        'lines_unaccounted': [lines - 1 - rows - scan.line_breaks, 0] | max,
    }) }}
{%- endmacro %}


{#- The DuckDB table function that reads a raw file: CSV as text (bad values must reach the
    rejects models, not fail the read; see csv_reader), spatial formats through GDAL or
    Parquet. `csv` is the file's inspect_raw_csv() result, made here when not given. -#}
{% macro raw_reader(path, csv=none) -%}
    {%- if path is none -%}
        {#- parse time, before any file is looked for -#}
        (select 1)
    {%- elif is_csv(path) -%}
        {%- set csv = csv or inspect_raw_csv(path, path.split('/')[-1]) -%}
        {{ csv_reader(path, csv.names | length, csv.encoding) }}
    {%- elif path.endswith('.parquet') -%}
        read_parquet({{ sql_string(path) }})
    {%- else -%}
        st_read({{ sql_string(path) }})
    {%- endif -%}
{%- endmacro %}


{#- Lower-cased column names of a raw file, as a list (empty at parse time). -#}
{% macro raw_file_columns(path) -%}
    {%- if not execute or in_unit_test() -%}{{ return([]) }}{%- endif -%}
    {%- if is_csv(path) -%}
        {{ return(inspect_raw_csv(path, path.split('/')[-1]).columns) }}
    {%- endif -%}
    {%- do check_raw_file(path, path.split('/')[-1]) -%}
    {%- set result = run_query("describe select * from " ~ raw_reader(path)) -%}
    {{ return(result.columns[0].values() | map('lower') | list) }}
{%- endmacro %}


{#- The DuckDB type of one column of a raw file, upper case (none at parse time). -#}
{% macro raw_file_column_type(path, column) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query("describe select * from " ~ raw_reader(path)) -%}
    {%- for row in result.rows -%}
        {%- if row[0] | lower == column | lower -%}{{ return(row[1] | upper) }}{%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- The column of `available` that matches one of `candidates` (names, or regular expressions
    starting with ^, compared lower-case), or none. Failing that, a name written for people
    matches too: `Crime Ref` or `crime-ref` for crime_ref (spaces, hyphens and dots read as
    underscores, ends trimmed). -#}
{% macro match_raw_column(available, candidates) -%}
    {%- for candidate in candidates -%}
        {%- for column in available -%}
            {%- if (candidate.startswith('^') and modules.re.match(candidate, column))
                or column == candidate | lower -%}
                {{ return(column) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for candidate in candidates if not candidate.startswith('^') -%}
        {%- for column in available -%}
            {%- if modules.re.sub('[ .-]+', '_', column | trim)
                == modules.re.sub('[ .-]+', '_', candidate | lower | trim) -%}
                {{ return(column) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- The names a unit test's fixture rows use for a file's columns: each column's first plain
    candidate (a unit test never reads the file, so the columns cannot be looked up). -#}
{% macro unit_test_columns(columns) -%}
    {%- set available = [] -%}
    {%- for canonical, spec in columns.items() -%}
        {%- set plain = [] -%}
        {%- for name in spec.get('names', [canonical]) if not name.startswith('^') -%}
            {%- do plain.append(name) -%}
        {%- endfor -%}
        {%- do available.append((plain[0] if plain else canonical) | lower) -%}
    {%- endfor -%}
    {{ return(available) }}
{%- endmacro %}


{#- A raw value as trimmed text; empty, or the word NULL that database exports write for an
    empty value, is null (committed_to written NULL would reject the offence as
    unparseable_timestamp, an ethnicity NULL as unknown_ethnicity). -#}
{% macro raw_text(value) -%}
    nullif(nullif(nullif(trim({{ value }}), ''), 'NULL'), 'null')
{%- endmacro %}


{#- A select list giving every canonical column of a raw file as trimmed text (empty or NULL
    -> null, macro raw_text).
    `columns` maps a canonical name to {'required': bool, 'names': [candidates]}; candidates
    default to the canonical name itself. A missing optional column becomes null.
    `available` is the file's lower-cased column names; `show_columns` false keeps them out
    of the error message (the "header" of a police file without one is a person's record);
    `positional`: the reader names the columns c1, c2, ... (csv_reader). -#}
{% macro raw_select_list(file_label, available, columns, show_columns=true, positional=false) -%}
    {%- for canonical, spec in columns.items() -%}
        {%- set found = match_raw_column(available, spec.get('names', [canonical])) -%}
        {%- if execute and found is none and spec.get('required', false) -%}
            {#- A header read as one name that holds another separator: the file was saved
                with semicolons (Excel in many locales), tabs or bars, not commas. -#}
            {%- set separators = {';': 'semicolons', '\t': 'tabs', '|': 'vertical bars'} -%}
            {%- set separator = [] -%}
            {%- for character, name in separators.items() -%}
                {%- if available | length == 1 and character in available[0] -%}
                    {%- do separator.append(name) -%}
                {%- endif -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                file_label ~ ": required column '" ~ canonical ~ "' is missing (looked for "
                ~ spec.get('names', [canonical]) | join(', ') ~ "; "
                ~ ("the file has " ~ available | join(', ') if show_columns
                    else "the header's " ~ available | length ~ " name(s) are not shown, as the"
                    ~ " first line of a file without a header would be a person's record")
                ~ ")."
                ~ (" Its header is one name holding " ~ separator[0] ~ ": the file is separated"
                    ~ " by " ~ separator[0] ~ ", not commas. Save it as CSV (comma-separated),"
                    ~ " or see ../shared/extract-contract.md." if separator
                else " Is the file comma-separated, with the contract's header row? Rename the"
                    ~ " column in the file, or see ../shared/extract-contract.md.")
            ) }}
        {%- endif %}
        {%- if found is none %}
        cast(null as varchar) as {{ canonical }}
        {%- elif positional %}
        {{ raw_text('c' ~ (available.index(found) + 1)) }} as {{ canonical }}
        {%- else %}
        {{ raw_text('cast("' ~ found | replace('"', '""') ~ '" as varchar)') }} as {{ canonical }}
        {%- endif -%}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- Stops the build, before any row is read, when malformed rows pass var max_reject_share,
    or when a broken quote joined lines of the file into one row (they cannot be told apart,
    so they cannot be rejected one by one). Positions are given, never content. -#}
{% macro check_raw_csv_structure(csv) -%}
    {%- set malformed = csv.malformed | length -%}
    {%- if csv.lines_unaccounted > 0 -%}
        {%- set quotes = csv.malformed | selectattr('reason', 'equalto', 'malformed_quotes')
            | map(attribute='source_row_number') | list -%}
        {{ exceptions.raise_compiler_error(
            csv.label ~ ": " ~ csv.lines_unaccounted ~ " line(s) of the file belong to no row:"
            ~ " a double quote that is never closed"
            ~ (" (data row " ~ quotes[:5] | join(', ') ~ ")" if quotes else "")
            ~ " made the reader take the lines after it as part of one value. Close or remove"
            ~ " the quote (a quote inside a value is written twice, \"\"), then rerun. Row"
            ~ " content is not shown, to keep personal data out of logs.") }}
    {%- endif -%}
    {%- if csv.rows > 0 and malformed / csv.rows > var('max_reject_share') -%}
        {%- set reasons = csv.malformed | groupby('reason') -%}
        {{ exceptions.raise_compiler_error(
            csv.label ~ ": " ~ malformed ~ " of " ~ csv.rows ~ " rows ("
            ~ '%.1f' | format(100 * malformed / csv.rows) ~ "%) are not well-formed CSV ("
            ~ reasons | map('first') | join(', ') ~ "; first at data row "
            ~ csv.malformed[0].source_row_number ~ "), more than var max_reject_share ("
            ~ '%.0f' | format(100 * var('max_reject_share')) ~ "%) allows. Is it comma-"
            ~ "separated with a header row? Row content is not shown.") }}
    {%- endif -%}
{%- endmacro %}


{#- True when the text `value` holds a line feed or a carriage return, false when not or
    null. Two plain searches: the regular expression [\r\n] it replaces took longer than
    reading the file (tests/python/test_speed_equivalence.py checks they agree). -#}
{% macro has_line_break(value) -%}
    coalesce(contains({{ value }}, chr(10)) or contains({{ value }}, chr(13)), false)
{%- endmacro %}


{#- The rows of a raw CSV file, numbered in file order (source_row_number, from 1 for the
    first data row), with its canonical columns as text and malformed_reason: why the row
    could not be parsed, or null. A malformed row keeps its number and reason and has null
    columns. An optional file that is absent gives no rows (and the same columns); a required
    one that is absent, empty, or with a header but no rows (unless `allow_empty`), fails the
    build with a message naming it. `reject_line_breaks`: a value holding a line break makes
    the row malformed (line_break_in_value): no field of a police extract spans lines, and a
    quote left open can join the rows after it into one value. `show_columns`: see
    raw_select_list. -#}
{% macro raw_rows(
    file_name, source_relation, columns, required=true, allow_empty=false,
    reject_line_breaks=false, show_columns=true, path=none, csv=none, read_from=none
) -%}
    {%- if in_unit_test() %}
    select
        row_number() over () as source_row_number,
        cast(null as varchar) as malformed_reason,
        {{ raw_select_list(file_name, unit_test_columns(columns), columns) | indent(4) }}
    from {{ source_relation }}
    {%- else -%}
    {%- set path = path or (
        required_raw_file(file_name) if required else find_raw_file(file_name)) -%}
    {%- if execute and path is none %}
    -- {{ file_name }} is optional and absent from the raw directory: no rows.
    select
        cast(null as bigint) as source_row_number,
        cast(null as varchar) as malformed_reason,
        {%- for canonical in columns %}
        cast(null as varchar) as {{ canonical }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- elif not execute %}
    select 1
    {%- else -%}
    {%- set csv = csv or inspect_raw_csv(path, file_name, columns, show_columns) -%}
    {%- if csv.rows == 0 and not allow_empty -%}
        {{ exceptions.raise_compiler_error(
            file_name ~ " has a header row but no data rows: the analysis needs its rows."
            ~ " Check the export (../shared/extract-contract.md).") }}
    {%- endif -%}
    {%- do check_raw_csv_structure(csv) -%}
    {%- set select_list = raw_select_list(
        file_name, csv.columns, columns, show_columns, positional=true) %}
    {%- set line_breaks = [] %}
    {#- No value of the file holds a line break (the scan counted them): no row to check. #}
    {%- for canonical in columns if reject_line_breaks and csv.rows_with_line_breaks > 0 %}
        {%- do line_breaks.append(has_line_break(canonical)) %}
    {%- endfor %}
    {%- set line_break = line_breaks | join(' or ') or 'false' %}
    with

    read_rows as (
        select
            {%- if read_from %}
            read_row_number,
            {{ select_list | indent(8) }}
        from {{ read_from }}
            {%- else %}
            row_number() over () as read_row_number,
            {{ select_list | indent(8) }}
        from {{ raw_reader(path, csv) }}
            {%- endif %}
    ),
    {%- if csv.malformed %}

    malformed_rows as (
        select *
        from (values
        {%- for row in csv.malformed %}
            ({{ row.source_row_number }}, '{{ row.reason }}'){{ "," if not loop.last }}
        {%- endfor %}
        ) as malformed (source_row_number, malformed_reason)
    ),

    -- For the well-formed rows after each malformed one: how many rows of the reader came
    -- before it, and how many malformed rows lie up to it.
    offsets as (
        select
            read_rows_before,
            max(malformed_so_far) as malformed_so_far
        from (
            select
                source_row_number
                - row_number() over (order by source_row_number) as read_rows_before,
                row_number() over (order by source_row_number) as malformed_so_far
            from malformed_rows
        )
        group by read_rows_before
    ),

    numbered as (
        select
            read_rows.read_row_number + coalesce(offsets.malformed_so_far, 0)
                as source_row_number,
            cast(null as varchar) as malformed_reason,
            read_rows.* exclude (read_row_number)
        from read_rows
        asof left join offsets
            on read_rows.read_row_number > offsets.read_rows_before
        union all
        select
            source_row_number,
            malformed_reason,
            {%- for canonical in columns %}
            cast(null as varchar) as {{ canonical }}{{ "," if not loop.last }}
            {%- endfor %}
        from malformed_rows
    ),
    {%- else %}

    numbered as (
        select
            read_row_number as source_row_number,
            cast(null as varchar) as malformed_reason,
            * exclude (read_row_number)
        from read_rows
    ),
    {%- endif %}

    final as (
        select
            * replace (
                case
                    when malformed_reason is null and {{ line_break }}
                        then 'line_break_in_value'
                    else malformed_reason
                end as malformed_reason
            )
        from numbered
    )

    select * from final
    {%- endif -%}
    {%- endif %}
{%- endmacro %}


{#- raw_rows as two CTEs of the model's own WITH list, `name`_read and `name`, for a large file:
    `name`_read is materialised and only reads and numbers the rows; `name` is raw_rows on it.
    DuckDB numbers a file's rows (row_number() over ()) in one thread, and runs every function
    of the query that numbers them in that thread too: trimming, the line-break check and
    whatever the model parses. Split off, all of that runs on every thread, and `name` and the
    model's CTEs on it can be inlined where they are used (mark them not materialized), so the
    file's rows are held once, as read. In a unit test, or for an absent optional file, only
    `name` (as raw_rows gives it). -#}
{% macro raw_rows_ctes(
    name, file_name, source_relation, columns, required=true, allow_empty=false,
    reject_line_breaks=false, show_columns=true
) -%}
    {%- set path = none -%}
    {%- if execute and not in_unit_test() -%}
        {%- set path = required_raw_file(file_name) if required else find_raw_file(file_name) -%}
    {%- endif -%}
    {%- set csv = none -%}
    {%- if path is not none -%}
        {%- set csv = inspect_raw_csv(path, file_name, columns, show_columns) -%}
        {%- set read_columns = ['row_number() over () as read_row_number'] -%}
        {%- for canonical, spec in columns.items() -%}
            {%- set found = match_raw_column(csv.columns, spec.get('names', [canonical])) -%}
            {%- if found is not none
                and 'c' ~ (csv.columns.index(found) + 1) not in read_columns -%}
                {%- do read_columns.append('c' ~ (csv.columns.index(found) + 1)) -%}
            {%- endif -%}
        {%- endfor %}
{{ name }}_read as materialized (
    select
        {{ read_columns | join(',\n        ') }}
    from {{ raw_reader(path, csv) | indent(4) }}
),

{% endif -%}
{{ name }} as not materialized (
    {{ raw_rows(
        file_name, source_relation, columns, required, allow_empty, reject_line_breaks,
        show_columns, path=path, csv=csv,
        read_from=(name ~ '_read') if path is not none else none
    ) | indent(4) }}
)
{%- endmacro %}
