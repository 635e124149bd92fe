// Quiet Nest's default logger in tests: warnings that tests provoke on purpose would drown real failures.
import { Logger } from '@nestjs/common';

Logger.overrideLogger(['error']);
