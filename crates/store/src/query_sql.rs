// Catalog queries (filters, sorting, paging, full text, facets) and the
// search rows they read. Included after `sql_common.rs` into both backends
// (each also defines `ESTIMATES_SELECTIVITY`).
//
// A query is answered by one statement whose FROM clause is its *driver*,
// the set of rows the database walks:
//
// * the full-text condition, when there is one (an index range of a few
//   keys, filtered by substring);
// * on SQLite, a top-level condition that a bounded count shows to match
//   few rows (SQLite has no per-value statistics to find it itself);
// * the sort key's index range, when the query sorts by one required key,
//   so a page is read in order and the scan stops at the limit;
// * otherwise the final entities in tiebreak order.
//
// Every other condition is a correlated `EXISTS` probe of the search rows'
// primary key, so a page of a common filter costs a few hundred probes.

use crate::query::{
    Direction, EntityQuery, FacetCounts, Keyset, Matcher, Predicate, QueriedEntity, Tiebreak,
};

/// A top-level condition matching fewer rows than this drives the query.
const SELECTIVE_ROWS: i64 = 2_000;

/// One row to insert: entity row id, key id, seq, value, original.
type SearchInsert = (i64, i64, i32, Option<String>, Option<String>);

/// Search rows per insert statement.
const SEARCH_INSERT_CHUNK: usize = 20_000;

/// Keys every final entity has (Backstage's always-present search rows and
/// the envelope's required fields): requiring them as sort keys needs no
/// check.
const ALWAYS_PRESENT: [&str; 5] = [
    "kind",
    "apiversion",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

/// Full-text matches up to this many are fetched once and then addressed by
/// id (one scan of the searched keys serves both the page and the count).
const MATERIALIZE_MAX: usize = 20_000;

/// Search key ids a query needs; a key missing here is on no entity.
type KeyIds = HashMap<String, i64>;

const QUERY_COLUMNS: &str = "f.id AS row_id, f.entity_ref, f.entity_id, f.kind, f.namespace, \
     f.name, f.body, f.hash, f.stitched_at";

/// Deletes the search rows of final entities with these refs.
async fn delete_search_rows_of_refs(tx: &mut Tx<'_>, refs: &[String]) -> StoreResult<()> {
    let mut qb = QueryBuilder::<Db>::new(
        "DELETE FROM search WHERE entity_row IN (SELECT id FROM final_entities WHERE entity_ref ",
    );
    push_in_list(&mut qb, refs);
    qb.push(")");
    qb.build().persistent(false).execute(&mut **tx).await?;
    Ok(())
}

/// Pushes `(1, 2, 3)`: ids are integers read from the database, so they go
/// into the statement as literals (one form for both backends).
fn push_id_list(qb: &mut QueryBuilder<Db>, ids: &[i64]) {
    qb.push("(");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(id.to_string());
    }
    qb.push(")");
}

/// Replaces the search rows of the `written` entities (`(row id, index into
/// finals)`). Returns the key ids it had to look up, to cache after commit.
async fn write_search_rows(
    tx: &mut Tx<'_>,
    cache: &crate::keys::KeyCache,
    finals: &[StitchedEntity],
    written: &[(i64, usize)],
) -> StoreResult<Vec<(String, i64)>> {
    if written.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = written.iter().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM search WHERE entity_row IN ");
        push_id_list(&mut qb, chunk);
        qb.build().persistent(false).execute(&mut **tx).await?;
    }

    // A NUL cannot be stored: such a key is dropped, such a value is kept
    // as "not searchable".
    let storable = |s: &str| !s.contains('\0');
    let keys: BTreeSet<&str> = written
        .iter()
        .flat_map(|(_, i)| finals[*i].search.iter().map(|r| r.key.as_str()))
        .filter(|k| storable(k))
        .collect();
    let mut key_ids: HashMap<String, i64> = HashMap::with_capacity(keys.len());
    let mut missing: Vec<String> = Vec::new();
    for (key, id) in cache.lookup(keys.into_iter()) {
        match id {
            Some(id) => {
                key_ids.insert(key.to_owned(), id);
            }
            None => missing.push(key.to_owned()),
        }
    }
    let mut fetched = Vec::new();
    for chunk in missing.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new("INSERT INTO search_keys (key) ");
        qb.push_values(chunk, |mut row, key| {
            row.push_bind(key.clone());
        });
        qb.push(" ON CONFLICT (key) DO NOTHING");
        qb.build().persistent(false).execute(&mut **tx).await?;
        let mut qb = QueryBuilder::<Db>::new("SELECT id, key FROM search_keys WHERE key ");
        push_in_list(&mut qb, chunk);
        for row in qb.build().persistent(false).fetch_all(&mut **tx).await? {
            let (id, key): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
            key_ids.insert(key.clone(), id);
            fetched.push((key, id));
        }
    }

    let mut rows: Vec<SearchInsert> = Vec::new();
    for (entity_row, i) in written {
        let mut seq = 0_i32;
        for r in &finals[*i].search {
            let Some(&key_id) = key_ids.get(&r.key) else {
                continue;
            };
            let value = r.value.clone().filter(|v| storable(v));
            let original = r
                .original
                .clone()
                .filter(|o| value.is_some() && storable(o) && Some(o) != value.as_ref());
            rows.push((*entity_row, key_id, seq, value, original));
            seq += 1;
        }
    }
    for chunk in rows.chunks(SEARCH_INSERT_CHUNK) {
        insert_search_rows(tx, chunk).await?;
    }
    Ok(fetched)
}

/// Every key a predicate mentions.
fn predicate_keys<'p>(predicate: &'p Predicate, out: &mut BTreeSet<&'p str>) {
    match predicate {
        Predicate::All(parts) | Predicate::Any(parts) => {
            parts.iter().for_each(|p| predicate_keys(p, out));
        }
        Predicate::Not(inner) => predicate_keys(inner, out),
        Predicate::Field { key, .. } => {
            out.insert(key.as_str());
        }
    }
}

/// The field conditions that must hold for the whole predicate to hold.
fn required_fields(predicate: &Predicate) -> Vec<(&str, &Matcher)> {
    match predicate {
        Predicate::Field { key, matcher } => vec![(key.as_str(), matcher)],
        Predicate::All(parts) => parts.iter().flat_map(required_fields).collect(),
        Predicate::Any(_) | Predicate::Not(_) => Vec::new(),
    }
}

/// Appends ` AND <value column> matches`; `false` when nothing can match.
fn push_matcher(qb: &mut QueryBuilder<Db>, column: &str, matcher: &Matcher) -> bool {
    match matcher {
        Matcher::Exists => {}
        Matcher::AnyOf(values) if values.is_empty() => return false,
        Matcher::AnyOf(values) if values.len() == 1 => {
            qb.push(format!(" AND {column} = "));
            qb.push_bind(values[0].clone());
        }
        Matcher::AnyOf(values) => {
            qb.push(format!(" AND {column}"));
            push_membership(qb, values);
        }
        Matcher::HasPrefix(prefix) => {
            qb.push(format!(" AND {column} >= "));
            qb.push_bind(prefix.clone());
            qb.push(format!(" AND {column} < "));
            qb.push_bind(format!("{prefix}\u{10FFFF}"));
        }
    }
    true
}

/// Appends the predicate as a condition on the entity whose row id is the
/// column `entity`.
fn push_predicate(qb: &mut QueryBuilder<Db>, predicate: &Predicate, keys: &KeyIds, entity: &str) {
    match predicate {
        Predicate::All(parts) | Predicate::Any(parts) if parts.is_empty() => {
            qb.push(if matches!(predicate, Predicate::All(_)) { "1=1" } else { "1=0" });
        }
        Predicate::All(parts) | Predicate::Any(parts) => {
            let joiner = if matches!(predicate, Predicate::All(_)) { " AND " } else { " OR " };
            qb.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    qb.push(joiner);
                }
                push_predicate(qb, part, keys, entity);
            }
            qb.push(")");
        }
        Predicate::Not(inner) => {
            qb.push("NOT (");
            push_predicate(qb, inner, keys, entity);
            qb.push(")");
        }
        Predicate::Field { key, matcher } => {
            let Some(&key_id) = keys.get(key) else {
                qb.push("1=0");
                return;
            };
            qb.push(format!(
                "EXISTS (SELECT 1 FROM search s WHERE s.entity_row = {entity} AND s.key_id = {key_id}"
            ));
            if !push_matcher(qb, "s.value", matcher) {
                qb.push(" AND 1=0");
            }
            qb.push(")");
        }
    }
}

/// The search key a final entity column holds, for the keys
/// [`push_column_hints`] restates.
fn is_column_key(key: &str) -> bool {
    matches!(key, "kind" | "metadata.namespace" | "metadata.name")
}

/// `filter` without the top-level conditions [`push_column_hints`] already
/// expressed on columns (their probes would repeat them); `None` when
/// nothing is left.
fn without_column_conditions(filter: &Predicate) -> Option<Predicate> {
    let restated = |p: &Predicate| {
        matches!(p, Predicate::Field { key, matcher: Matcher::AnyOf(_) } if is_column_key(key))
    };
    match filter {
        p if restated(p) => None,
        Predicate::All(parts) => {
            let rest: Vec<Predicate> = parts.iter().filter(|p| !restated(p)).cloned().collect();
            (!rest.is_empty()).then_some(Predicate::All(rest))
        }
        other => Some(other.clone()),
    }
}

/// Restates required conditions on `kind`, `metadata.namespace` and
/// `metadata.name` on the final entity's own columns (which hold the same
/// lower-cased values): they cost no probe, and a single kind becomes a
/// range of the entity ref index, so a page of one kind in ref order does
/// not walk every entity of the kinds sorting before it.
fn push_column_hints(qb: &mut QueryBuilder<Db>, filter: &Predicate) {
    for (key, matcher) in required_fields(filter) {
        let column = match key {
            "kind" => "f.kind",
            "metadata.namespace" => "f.namespace",
            "metadata.name" => "f.name",
            _ => continue,
        };
        let Matcher::AnyOf(values) = matcher else {
            continue;
        };
        match values.as_slice() {
            [] => {
                qb.push(" AND 1=0");
            }
            [kind] if column == "f.kind" => {
                qb.push(" AND f.kind = ");
                qb.push_bind(kind.clone());
                qb.push(" AND f.entity_ref >= ");
                qb.push_bind(format!("{kind}:"));
                qb.push(" AND f.entity_ref < ");
                qb.push_bind(format!("{kind};"));
            }
            [one] => {
                qb.push(format!(" AND {column} = "));
                qb.push_bind(one.clone());
            }
            many => {
                qb.push(format!(" AND {column}"));
                push_membership(qb, many);
            }
        }
    }
}

/// `LIKE` pattern for a substring, with `\` escaping.
fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The rows a query walks (see the file's comment).
enum Driver<'q> {
    Table,
    Condition { key_id: i64, matcher: &'q Matcher },
    FullText { key_ids: Vec<i64>, pattern: String },
    /// The full-text matches, fetched beforehand.
    Ids(Vec<i64>),
    Sorted { key_id: i64 },
}

/// A query after its keys were resolved, ready to print as SQL.
struct Plan<'q> {
    query: &'q EntityQuery,
    keys: KeyIds,
    driver: Driver<'q>,
}

impl Plan<'_> {
    /// SQL for the value of sort key `i` of entity `f`.
    fn sort_expr(&self, i: usize) -> String {
        if i == 0 && matches!(self.driver, Driver::Sorted { .. }) {
            return "o.value".to_owned();
        }
        match self.keys.get(&self.query.sort[i].key) {
            Some(key_id) => format!(
                "(SELECT MIN(x.value) FROM search x WHERE x.entity_row = f.id AND x.key_id = {key_id})"
            ),
            None => "NULL".to_owned(),
        }
    }

    fn tiebreak_expr(&self) -> &'static str {
        match (self.query.tiebreak, &self.driver) {
            (Tiebreak::EntityRef, _) => "f.entity_ref",
            (Tiebreak::Row, Driver::Sorted { .. }) => "o.entity_row",
            (Tiebreak::Row, _) => "f.id",
        }
    }

    /// `FROM … WHERE <driver and every condition>`.
    fn push_from_where(&self, qb: &mut QueryBuilder<Db>, for_count: bool) -> StoreResult<()> {
        let sorted = !for_count && matches!(self.driver, Driver::Sorted { .. });
        match &self.driver {
            Driver::Condition { key_id, matcher } => {
                qb.push(format!(
                    " FROM (SELECT DISTINCT entity_row FROM search WHERE key_id = {key_id}"
                ));
                if !push_matcher(qb, "value", matcher) {
                    qb.push(" AND 1=0");
                }
                qb.push(") d CROSS JOIN final_entities f WHERE f.id = d.entity_row");
            }
            Driver::FullText { key_ids, pattern } => {
                qb.push(" FROM (SELECT DISTINCT entity_row FROM search WHERE key_id IN ");
                push_id_list(qb, key_ids);
                qb.push(" AND value LIKE ");
                qb.push_bind(pattern.clone());
                qb.push(" ESCAPE '\\') d CROSS JOIN final_entities f WHERE f.id = d.entity_row");
            }
            Driver::Sorted { key_id } if sorted => {
                qb.push(format!(
                    " FROM search o CROSS JOIN final_entities f WHERE o.key_id = {key_id} \
                     AND o.value IS NOT NULL AND f.id = o.entity_row \
                     AND NOT EXISTS (SELECT 1 FROM search o2 WHERE o2.entity_row = o.entity_row \
                     AND o2.key_id = o.key_id AND o2.value IS NOT NULL AND (o2.value < o.value \
                     OR (o2.value = o.value AND o2.seq < o.seq)))"
                ));
            }
            Driver::Ids(ids) if ids.is_empty() => {
                qb.push(" FROM final_entities f WHERE 1=0");
            }
            Driver::Ids(ids) => {
                qb.push(" FROM final_entities f WHERE f.id IN ");
                push_id_list(qb, ids);
            }
            Driver::Table | Driver::Sorted { .. } => {
                qb.push(" FROM final_entities f WHERE 1=1");
            }
        }
        if let Some(filter) = &self.query.filter {
            push_column_hints(qb, filter);
            if let Some(rest) = without_column_conditions(filter) {
                qb.push(" AND ");
                push_predicate(qb, &rest, &self.keys, "f.id");
            }
        }
        if let Some(full_text) = &self.query.full_text
            && !matches!(self.driver, Driver::FullText { .. } | Driver::Ids(_))
        {
            let ids: Vec<i64> = full_text
                .keys
                .iter()
                .filter_map(|k| self.keys.get(k).copied())
                .collect();
            if ids.is_empty() {
                qb.push(" AND 1=0");
            } else {
                qb.push(" AND EXISTS (SELECT 1 FROM search t WHERE t.entity_row = f.id AND t.key_id IN ");
                push_id_list(qb, &ids);
                qb.push(" AND t.value LIKE ");
                qb.push_bind(contains_pattern(&full_text.term));
                qb.push(" ESCAPE '\\')");
            }
        }
        if self.query.require_sort_keys {
            for (i, sort) in self.query.sort.iter().enumerate() {
                if i == 0 && sorted {
                    continue;
                }
                if ALWAYS_PRESENT.contains(&sort.key.as_str()) {
                    continue;
                }
                match self.keys.get(&sort.key) {
                    Some(key_id) => qb.push(format!(
                        " AND EXISTS (SELECT 1 FROM search r WHERE r.entity_row = f.id \
                         AND r.key_id = {key_id} AND r.value IS NOT NULL)"
                    )),
                    None => qb.push(" AND 1=0"),
                };
            }
        }
        if !for_count && let Some(keyset) = &self.query.keyset {
            self.push_keyset(qb, keyset)?;
        }
        Ok(())
    }

    /// Whether the page runs in ascending order of its first ordering term.
    fn ascending(&self) -> bool {
        let forward = self
            .query
            .sort
            .first()
            .is_none_or(|s| s.direction == Direction::Ascending);
        let backwards = self.query.keyset.as_ref().is_some_and(|k| k.backwards);
        forward != backwards
    }

    fn push_keyset(&self, qb: &mut QueryBuilder<Db>, keyset: &Keyset) -> StoreResult<()> {
        let query = self.query;
        if query.sort.len() > 1 || (query.sort.len() == 1 && !query.require_sort_keys) {
            return Err(StoreError::InvalidQuery(
                "a cursor needs at most one (required) sort key".to_owned(),
            ));
        }
        let op = if self.ascending() { ">" } else { "<" };
        let tiebreak = self.tiebreak_expr();
        let push_tiebreak_value = |qb: &mut QueryBuilder<Db>| -> StoreResult<()> {
            match query.tiebreak {
                Tiebreak::EntityRef => {
                    qb.push_bind(keyset.tiebreak.clone());
                }
                Tiebreak::Row => {
                    let row: i64 = keyset.tiebreak.parse().map_err(|_| {
                        StoreError::InvalidQuery("the cursor's position is not valid".to_owned())
                    })?;
                    qb.push_bind(row);
                }
            }
            Ok(())
        };
        if query.sort.is_empty() {
            qb.push(format!(" AND {tiebreak} {op} "));
            return push_tiebreak_value(qb);
        }
        let Some(Some(value)) = keyset.sort_values.first() else {
            return Err(StoreError::InvalidQuery(
                "the cursor lacks its sort value".to_owned(),
            ));
        };
        let expr = self.sort_expr(0);
        qb.push(format!(" AND ({expr} {op} "));
        qb.push_bind(value.clone());
        qb.push(format!(" OR ({expr} = "));
        qb.push_bind(value.clone());
        qb.push(format!(" AND {tiebreak} {op} "));
        push_tiebreak_value(qb)?;
        qb.push("))");
        Ok(())
    }

    fn push_order(&self, qb: &mut QueryBuilder<Db>) {
        let backwards = self.query.keyset.as_ref().is_some_and(|k| k.backwards);
        let word = |direction: Direction| {
            let ascending = (direction == Direction::Ascending) != backwards;
            if ascending { "ASC" } else { "DESC" }
        };
        qb.push(" ORDER BY ");
        for (i, sort) in self.query.sort.iter().enumerate() {
            let expr = self.sort_expr(i);
            if !self.query.require_sort_keys {
                qb.push(format!("{expr} IS NULL, "));
            }
            qb.push(format!("{expr} {}, ", word(sort.direction)));
        }
        let first = self
            .query
            .sort
            .first()
            .map_or(Direction::Ascending, |s| s.direction);
        qb.push(format!("{} {}", self.tiebreak_expr(), word(first)));
    }
}

fn limit_clause(limit: Option<u64>, offset: u64) -> String {
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    match (limit, offset) {
        (Some(limit), 0) => format!(" LIMIT {}", clamp(limit)),
        (Some(limit), offset) => format!(" LIMIT {} OFFSET {}", clamp(limit), clamp(offset)),
        (None, 0) => String::new(),
        (None, offset) => format!(" LIMIT {} OFFSET {}", i64::MAX, clamp(offset)),
    }
}

impl Store {
    /// Ids of the given keys that exist.
    async fn key_ids<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> StoreResult<KeyIds> {
        let keys: BTreeSet<&str> = keys.into_iter().filter(|k| text::storable(k)).collect();
        let mut found = KeyIds::with_capacity(keys.len());
        let mut missing = Vec::new();
        for (key, id) in self.keys.lookup(keys.into_iter()) {
            match id {
                Some(id) => {
                    found.insert(key.to_owned(), id);
                }
                None => missing.push(key.to_owned()),
            }
        }
        let mut fetched = Vec::new();
        for chunk in missing.chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new("SELECT id, key FROM search_keys WHERE key ");
            push_in_list(&mut qb, chunk);
            for row in qb.build().persistent(false).fetch_all(&self.pool).await? {
                let (id, key): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
                found.insert(key.clone(), id);
                fetched.push((key, id));
            }
        }
        self.keys.remember(fetched);
        Ok(found)
    }

    async fn plan<'q>(&self, query: &'q EntityQuery) -> StoreResult<Plan<'q>> {
        let mut wanted = BTreeSet::new();
        if let Some(filter) = &query.filter {
            predicate_keys(filter, &mut wanted);
        }
        if let Some(full_text) = &query.full_text {
            wanted.extend(full_text.keys.iter().map(String::as_str));
        }
        wanted.extend(query.sort.iter().map(|s| s.key.as_str()));
        let keys = self.key_ids(wanted).await?;

        if let Some(full_text) = &query.full_text {
            let key_ids: Vec<i64> = full_text
                .keys
                .iter()
                .filter_map(|k| keys.get(k).copied())
                .collect();
            if !key_ids.is_empty() {
                let pattern = contains_pattern(&full_text.term);
                let mut qb = QueryBuilder::<Db>::new(
                    "SELECT DISTINCT entity_row FROM search WHERE key_id IN ",
                );
                push_id_list(&mut qb, &key_ids);
                qb.push(" AND value LIKE ");
                qb.push_bind(pattern.clone());
                qb.push(format!(" ESCAPE '\\' LIMIT {}", MATERIALIZE_MAX + 1));
                let ids: Vec<i64> = qb
                    .build()
                    .persistent(false)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()?;
                let driver = if ids.len() <= MATERIALIZE_MAX {
                    Driver::Ids(ids)
                } else {
                    Driver::FullText { key_ids, pattern }
                };
                return Ok(Plan {
                    query,
                    keys,
                    driver,
                });
            }
        }
        if ESTIMATES_SELECTIVITY && let Some(filter) = &query.filter {
            let mut best: Option<(i64, i64, &Matcher)> = None;
            for (key, matcher) in required_fields(filter) {
                let Some(&key_id) = keys.get(key) else {
                    continue;
                };
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM search WHERE key_id = {key_id}"
                ));
                if !push_matcher(&mut qb, "value", matcher) {
                    qb.push(" AND 1=0");
                }
                qb.push(format!(" LIMIT {SELECTIVE_ROWS}) n"));
                let count: i64 = qb
                    .build()
                    .persistent(false)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?;
                if count < SELECTIVE_ROWS && best.is_none_or(|(c, _, _)| count < c) {
                    best = Some((count, key_id, matcher));
                }
            }
            if let Some((_, key_id, matcher)) = best {
                return Ok(Plan {
                    query,
                    keys,
                    driver: Driver::Condition { key_id, matcher },
                });
            }
        }
        let driver = match (query.sort.as_slice(), query.require_sort_keys) {
            ([only], true) => match keys.get(&only.key) {
                Some(&key_id) => Driver::Sorted { key_id },
                None => Driver::Table,
            },
            _ => Driver::Table,
        };
        Ok(Plan {
            query,
            keys,
            driver,
        })
    }

    /// A page and, when asked, the number of matches, from one plan (so a
    /// full-text scan runs once for both).
    async fn run_page(
        &self,
        query: &EntityQuery,
        count: Option<u64>,
    ) -> StoreResult<(Vec<QueriedEntity>, Option<u64>)> {
        let plan = self.plan(query).await?;
        let total = match count {
            Some(cap) => Some(self.count_planned(&plan, cap).await?),
            None => None,
        };
        let rows = if query.limit == Some(0) {
            Vec::new()
        } else {
            self.query_planned(&plan).await?
        };
        Ok((rows, total))
    }

    async fn query_planned(&self, plan: &Plan<'_>) -> StoreResult<Vec<QueriedEntity>> {
        let query = plan.query;
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {QUERY_COLUMNS}"));
        for i in 0..query.sort.len() {
            qb.push(format!(", {} AS sort_{i}", plan.sort_expr(i)));
        }
        plan.push_from_where(&mut qb, false)?;
        plan.push_order(&mut qb);
        qb.push(limit_clause(query.limit, query.offset));
        let rows = qb.build().persistent(false).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut sort_values = Vec::with_capacity(query.sort.len());
            for i in 0..query.sort.len() {
                sort_values.push(row.try_get::<Option<String>, _>(format!("sort_{i}").as_str())?);
            }
            let final_row = final_from_row(row)?;
            let tiebreak = match query.tiebreak {
                Tiebreak::EntityRef => final_row.entity_ref.clone(),
                Tiebreak::Row => row.try_get::<i64, _>("row_id")?.to_string(),
            };
            out.push(QueriedEntity {
                row: final_row,
                sort_values,
                tiebreak,
            });
        }
        if query.keyset.as_ref().is_some_and(|k| k.backwards) {
            out.reverse();
        }
        Ok(out)
    }

    async fn count_planned(&self, plan: &Plan<'_>, cap: u64) -> StoreResult<u64> {
        // Fetched full-text matches with nothing else to check are the count.
        if let Driver::Ids(ids) = &plan.driver
            && plan.query.filter.is_none()
            && (!plan.query.require_sort_keys
                || plan
                    .query
                    .sort
                    .iter()
                    .all(|s| ALWAYS_PRESENT.contains(&s.key.as_str())))
        {
            return Ok((ids.len() as u64).min(cap));
        }
        let bounded = i64::try_from(cap).ok();
        let mut qb = QueryBuilder::<Db>::new(match bounded {
            Some(_) => "SELECT COUNT(*) FROM (SELECT 1",
            None => "SELECT COUNT(*)",
        });
        plan.push_from_where(&mut qb, true)?;
        if let Some(cap) = bounded {
            qb.push(format!(" LIMIT {cap}) AS bounded"));
        }
        let count: i64 = qb
            .build()
            .persistent(false)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn run_facets(
        &self,
        facet_keys: &[String],
        filter: Option<&Predicate>,
    ) -> StoreResult<Vec<FacetCounts>> {
        let mut wanted: BTreeSet<&str> = facet_keys.iter().map(String::as_str).collect();
        if let Some(filter) = filter {
            predicate_keys(filter, &mut wanted);
        }
        let keys = self.key_ids(wanted).await?;
        let mut out = Vec::with_capacity(facet_keys.len());
        for facet in facet_keys {
            let mut values: Vec<(String, u64)> = Vec::new();
            if let Some(&key_id) = keys.get(facet) {
                let push_filter = |qb: &mut QueryBuilder<Db>| {
                    if let Some(filter) = filter {
                        qb.push(" AND ");
                        push_predicate(qb, filter, &keys, "fs.entity_row");
                    }
                };
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "SELECT fs.value, COUNT(*), COUNT(fs.original), MIN(fs.original), \
                     MAX(fs.original) FROM search fs WHERE fs.key_id = {key_id} \
                     AND fs.value IS NOT NULL"
                ));
                push_filter(&mut qb);
                qb.push(" GROUP BY fs.value");
                let groups = qb.build().persistent(false).fetch_all(&self.pool).await?;
                for group in &groups {
                    let value: String = group.try_get(0)?;
                    let count: i64 = group.try_get(1)?;
                    let with_original: i64 = group.try_get(2)?;
                    let min: Option<String> = group.try_get(3)?;
                    let max: Option<String> = group.try_get(4)?;
                    if with_original == 0 {
                        values.push((value, u64::try_from(count).unwrap_or(0)));
                    } else if with_original == count && min == max {
                        values.push((min.unwrap_or(value), u64::try_from(count).unwrap_or(0)));
                    } else {
                        // Spellings differ in case: count each as written.
                        let mut qb = QueryBuilder::<Db>::new(format!(
                            "SELECT COALESCE(fs.original, fs.value), COUNT(*) FROM search fs \
                             WHERE fs.key_id = {key_id} AND fs.value = "
                        ));
                        qb.push_bind(value);
                        push_filter(&mut qb);
                        qb.push(" GROUP BY COALESCE(fs.original, fs.value)");
                        for row in qb.build().persistent(false).fetch_all(&self.pool).await? {
                            let count: i64 = row.try_get(1)?;
                            values.push((row.try_get(0)?, u64::try_from(count).unwrap_or(0)));
                        }
                    }
                }
            }
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out.push(FacetCounts {
                key: facet.clone(),
                values,
            });
        }
        Ok(out)
    }

    async fn run_by_refs(
        &self,
        refs: &[String],
        filter: Option<&Predicate>,
    ) -> StoreResult<Vec<FinalEntityRow>> {
        let refs = text::lookup_keys(refs);
        let keys = match filter {
            Some(filter) => {
                let mut wanted = BTreeSet::new();
                predicate_keys(filter, &mut wanted);
                self.key_ids(wanted).await?
            }
            None => KeyIds::new(),
        };
        let mut out = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(format!(
                "SELECT {QUERY_COLUMNS} FROM final_entities f WHERE f.entity_ref "
            ));
            push_in_list(&mut qb, chunk);
            if let Some(filter) = filter {
                qb.push(" AND ");
                push_predicate(&mut qb, filter, &keys, "f.id");
            }
            for row in qb.build().persistent(false).fetch_all(&self.pool).await? {
                out.push(final_from_row(&row)?);
            }
        }
        Ok(out)
    }
}
