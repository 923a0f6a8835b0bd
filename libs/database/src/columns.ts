/** A column of `columnsOf`: a field of the row, or what a function makes of the row. */
export type Column<T> = (keyof T & string) | ((row: T) => unknown);

/**
 * The parameters of a bulk statement over `unnest($1::type[], $2::type[], …)`: one array per
 * column, in the order of `columns`, each holding that column's value for every row in order.
 */
export function columnsOf<T>(rows: readonly T[], columns: readonly Column<T>[]): unknown[][] {
  return columns.map((column) => rows.map((row) => (typeof column === 'function' ? column(row) : row[column])));
}
