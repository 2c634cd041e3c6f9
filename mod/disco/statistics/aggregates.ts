// The raw numbers of a statistics query: respondents, pledges, need answers and choice options per group and
// for the total (GROUPING SETS give both in one pass), read in one repeatable-read snapshot so they agree.
// Text answers are only ever counted: no query selects their text.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { NeedAnswer, Pledge } from "../surveys/entities.js";
import type { Population } from "./population.js";

/** A group's keys; `total` marks the whole population's row. */
export interface Keyed {
  g1: string;
  g2: string;
  total: boolean;
}
export interface RespondentRow extends Keyed { n: number }
export interface SupplyRow extends Keyed { q: string; pledgers: number; amount: number }
export interface NeedRow extends Keyed { q: string; answered: number; yes: number; no: number; sum: number | null; avg: number | null }
export interface ChoiceRow extends Keyed { q: string; v: string; n: number }

export interface Aggregates {
  respondents: RespondentRow[];
  supply: SupplyRow[];
  needs: NeedRow[];
  choices: ChoiceRow[];
}

const KEYS = `sets.g1, sets.g2, grouping(sets.g1, sets.g2) = 3 as total`;
const placeholders = (ids: string[]) => ids.map(() => "?").join(", ");
const ANSWERED = `num_nonnulls(a.bool_value, a.number_value, a.choice_value, nullif(a.text_value, '')) > 0`;

export async function readAggregates(
  em: EntityManager,
  population: Population,
  questions: { supply: string[]; needs: string[]; choices: string[] },
): Promise<Aggregates> {
  const { cte, params } = population;
  return em.fork().transactional(
    async (tx) => {
      const run = <T>(select: string, extra: unknown[] = []) => query<T>(tx, `${cte} ${select}`, [...params, ...extra]);
      const respondents = await run<RespondentRow>(`select ${KEYS}, count(*)::int as n from sets group by grouping sets ((sets.g1, sets.g2), ())`);
      const supply = questions.supply.length === 0 ? [] : await run<SupplyRow>(
        `select ${KEYS}, p.supply_question_id as q, count(*) filter (where p.amount > 0)::int as pledgers,
           coalesce(sum(p.amount) filter (where p.amount > 0), 0)::float8 as amount
         from sets join ${tableOf(tx, Pledge)} p on p.answer_set_id = sets.id
         where p.supply_question_id in (${placeholders(questions.supply)})
         group by grouping sets ((sets.g1, sets.g2, p.supply_question_id), (p.supply_question_id))`,
        questions.supply,
      );
      const needs = questions.needs.length === 0 ? [] : await run<NeedRow>(
        `select ${KEYS}, a.need_question_id as q, count(*) filter (where ${ANSWERED})::int as answered,
           count(*) filter (where a.bool_value)::int as yes, count(*) filter (where not a.bool_value)::int as no,
           sum(a.number_value)::float8 as sum, avg(a.number_value)::float8 as avg
         from sets join ${tableOf(tx, NeedAnswer)} a on a.answer_set_id = sets.id
         where a.need_question_id in (${placeholders(questions.needs)})
         group by grouping sets ((sets.g1, sets.g2, a.need_question_id), (a.need_question_id))`,
        questions.needs,
      );
      const choices = questions.choices.length === 0 ? [] : await run<ChoiceRow>(
        `select ${KEYS}, a.need_question_id as q, a.choice_value as v, count(*)::int as n
         from sets join ${tableOf(tx, NeedAnswer)} a on a.answer_set_id = sets.id
         where a.need_question_id in (${placeholders(questions.choices)}) and a.choice_value is not null
         group by grouping sets ((sets.g1, sets.g2, a.need_question_id, a.choice_value), (a.need_question_id, a.choice_value))`,
        questions.choices,
      );
      return { respondents, supply, needs, choices };
    },
    { isolationLevel: "repeatable read", readOnly: true },
  );
}
