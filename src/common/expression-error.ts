/** A problem in an expression: what, and where in its text. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Offset in the expression text where the problem is. */
    readonly at: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}
