"""Courts (法院): criminal judgments (刑事判决书) with 案号 under the 2015 rules."""
